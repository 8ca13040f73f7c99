package ai.aicrypto.plaza.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import jakarta.servlet.http.HttpServletResponse;

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

    /**
     * Streams what {@code body} writes as an attachment on the request thread, in bounded memory. Unlike the
     * asynchronous {@link #attachment(String, InputStream)}, nothing else (the session filter writing its cookie as
     * the request thread unwinds) can touch the response while it is written.
     */
    public static void stream(HttpServletResponse response, String fileName, MediaType type, StreamingResponseBody body)
            throws IOException {
        response.setContentType(type.toString());
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(fileName).build().toString());
        try (OutputStream out = response.getOutputStream()) {
            body.writeTo(out);
        }
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
