package ai.aicrypto.plaza.search;

/** Where the tests' Elasticsearch runs: ops/test starts one and exports its URL. */
final class TestElasticsearch {

    private TestElasticsearch() {
    }

    static String url() {
        String url = System.getenv("PLAZA_TEST_ES_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("PLAZA_TEST_ES_URL is not set: run the tests with ops/test, which starts "
                    + "Elasticsearch, or start one (ops/lib/elasticsearch.sh) and export its URL");
        }
        return url;
    }
}
