package ai.aicrypto.plaza.platform;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** Upload forms state the limit that {@link UploadLimitFilter} enforces. */
@ControllerAdvice
class UploadLimitAdvice {

    private final String maxUploadSize;

    UploadLimitAdvice(@Value("${spring.servlet.multipart.max-request-size}") DataSize maxRequestSize) {
        this.maxUploadSize = DataSizes.humanReadable(maxRequestSize.toBytes());
    }

    @ModelAttribute("maxUploadSize")
    String maxUploadSize() {
        return maxUploadSize;
    }
}
