package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

class UploadLimitFilterTest {

    private final UploadLimitFilter filter = new UploadLimitFilter(DataSize.ofBytes(100), DataSize.ofBytes(10));

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

    @Test
    void otherRoutesTakeOnlySmallMultipartRequestsWithALength() throws Exception {
        var chain = new MockFilterChain();
        filter.doFilter(upload(10, "/profile"), new MockHttpServletResponse(), chain);
        assertThat(chain.getRequest()).as("within the small limit").isNotNull();

        var tooLarge = run(upload(11, "/profile"), false);
        assertThat(tooLarge.getStatus()).isEqualTo(413);
        assertThat(tooLarge.getHeader("Connection")).isEqualTo("close");

        var chunked = upload(0, "/listings/1/unpublish");
        chunked.setContent(null); // no Content-Length
        assertThat(run(chunked, false).getStatus()).isEqualTo(411);

        for (String route : new String[] {"/models/new", "/competitions/new", "/competitions/cup/submissions",
                "/api/v1/competitions/cup/submissions"}) {
            chain = new MockFilterChain();
            filter.doFilter(upload(100, route), new MockHttpServletResponse(), chain);
            assertThat(chain.getRequest()).as(route + " takes the upload limit").isNotNull();
        }
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
        return upload(bytes, "/datasets/new");
    }

    private static MockHttpServletRequest upload(int bytes, String path) {
        var request = new MockHttpServletRequest("POST", path);
        request.setContentType("multipart/form-data; boundary=x");
        request.setContent(new byte[bytes]);
        return request;
    }
}
