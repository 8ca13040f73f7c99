package ai.aicrypto.plaza.platform;

import java.io.InputStream;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** File downloads: stored files streamed to the browser, never read whole into memory; small generated ones sent at once. */
public final class Downloads {

    private Downloads() {
    }

    /** Streams {@code content} as an attachment named {@code fileName}, closing it when done. */
    public static ResponseEntity<StreamingResponseBody> attachment(String fileName, InputStream content) {
        StreamingResponseBody body = out -> {
            try (content) {
                content.transferTo(out);
            }
        };
        return attachmentHeaders(fileName, MediaType.APPLICATION_OCTET_STREAM).body(body);
    }

    /** Streams what {@code body} writes (a file assembled on the fly, such as a ZIP) as an attachment. */
    public static ResponseEntity<StreamingResponseBody> attachment(String fileName, MediaType type, StreamingResponseBody body) {
        return attachmentHeaders(fileName, type).body(body);
    }

    /** A small file made on the spot (a CSV export, say), sent in one piece with no async streaming. */
    public static ResponseEntity<byte[]> attachment(String fileName, MediaType type, byte[] content) {
        return attachmentHeaders(fileName, type).body(content);
    }

    private static ResponseEntity.BodyBuilder attachmentHeaders(String fileName, MediaType type) {
        return ResponseEntity.ok()
                .contentType(type)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(fileName).build().toString());
    }
}
