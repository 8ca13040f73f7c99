package ai.aicrypto.plaza.platform;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/** Upload forms state the limit that {@link UploadLimitFilter} enforces. */
@Component
class UploadLimitAttribute implements PageAttribute {

    private final String maxUploadSize;

    UploadLimitAttribute(@Value("${spring.servlet.multipart.max-request-size}") DataSize maxRequestSize) {
        this.maxUploadSize = DataSizes.humanReadable(maxRequestSize.toBytes());
    }

    @Override
    public String name() {
        return "maxUploadSize";
    }

    @Override
    public Object value(HttpServletRequest request) {
        return maxUploadSize;
    }
}
