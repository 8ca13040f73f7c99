package ai.aicrypto.plaza.platform;

import java.io.InputStream;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** File downloads streamed to the browser, never read whole into memory. */
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
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(fileName).build().toString())
                .body(body);
    }
}
