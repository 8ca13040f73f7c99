package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import ai.aicrypto.plaza.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/** The predict routes are matched first, among themselves, and answered as the full lookup answers them. */
class HotRouteMappingTest extends IntegrationTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mapping;

    @Test
    void thePredictRoutesAreFoundFirstAndWhatTheyDoNotFitGoesToTheFullLookup() throws Exception {
        assertThat(mapping).isInstanceOf(HotRouteMapping.class);

        MockHttpServletRequest json = request("POST", "/api/v1/models/42/predict", MediaType.APPLICATION_JSON_VALUE);
        assertThat(handler(json).getMethod().getName()).isEqualTo("predict");
        assertThat(json.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE)).isEqualTo(Map.of("id", "42"));
        assertThat(json.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE).toString())
                .isEqualTo("/api/v1/models/{id}/predict");
        assertThat(handler(request("POST", "/api/v1/models/42/predict", "multipart/form-data; boundary=x"))
                .getMethod().getName()).isEqualTo("predictFiles");

        // What no hot route fits is answered by the full lookup, as before
        assertThatThrownBy(() -> handler(request("POST", "/api/v1/models/42/predict", MediaType.TEXT_PLAIN_VALUE)))
                .isInstanceOf(HttpMediaTypeNotSupportedException.class);
        assertThatThrownBy(() -> handler(request("GET", "/api/v1/models/42/predict", null)))
                .isInstanceOf(HttpRequestMethodNotSupportedException.class);
        assertThat(handler(request("GET", "/models/42", null)).getMethod().getDeclaringClass().getSimpleName())
                .as("another route").isNotEqualTo("PredictionApiController");
    }

    private HandlerMethod handler(MockHttpServletRequest request) throws Exception {
        return (HandlerMethod) mapping.getHandler(request).getHandler();
    }

    private static MockHttpServletRequest request(String method, String path, String contentType) {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        if (contentType != null) {
            request.setContentType(contentType);
        }
        ServletRequestPathUtils.parseAndCache(request);
        return request;
    }
}
