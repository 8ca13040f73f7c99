package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

class UploadLimitFilterTest {

    private final UploadLimitFilter filter = new UploadLimitFilter(DataSize.ofBytes(100));

    @Test
    void oversizedFormUploadGoesBackToItsForm() throws Exception {
        var response = run(upload(101), false);
        assertThat(response.getRedirectedUrl()).isEqualTo("/datasets/new?tooLarge");
    }

    @Test
    void oversizedHtmxUploadIsToldWhereToGo() throws Exception {
        var response = run(upload(5000), true);
        assertThat(response.getHeader("HX-Redirect")).isEqualTo("/datasets/new?tooLarge");
    }

    @Test
    void uploadsWithinTheLimitAndOtherRequestsPass() throws Exception {
        var chain = new MockFilterChain();
        filter.doFilter(upload(100), new MockHttpServletResponse(), chain);
        assertThat(chain.getRequest()).isNotNull();

        var big = new MockHttpServletRequest("POST", "/register");
        big.setContentType("application/x-www-form-urlencoded");
        big.setContent(new byte[500]);
        chain = new MockFilterChain();
        filter.doFilter(big, new MockHttpServletResponse(), chain);
        assertThat(chain.getRequest()).isNotNull();
    }

    private MockHttpServletResponse run(MockHttpServletRequest request, boolean htmx) throws Exception {
        if (htmx) {
            request.addHeader("HX-Request", "true");
        }
        var response = new MockHttpServletResponse();
        var chain = new MockFilterChain();
        filter.doFilter(request, response, chain);
        assertThat(chain.getRequest()).as("not passed on").isNull();
        return response;
    }

    private static MockHttpServletRequest upload(int bytes) {
        var request = new MockHttpServletRequest("POST", "/datasets/new");
        request.setContentType("multipart/form-data; boundary=x");
        request.setContent(new byte[bytes]);
        return request;
    }
}
