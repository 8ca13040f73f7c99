package ai.aicrypto.plaza.search;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The contract on the Elasticsearch backend, against the real server that ops/test starts
 * (PLAZA_TEST_ES_URL); each run writes through an alias of its own.
 */
class ElasticsearchSearchTest extends SearchContractTest {

    @DynamicPropertySource
    static void elasticsearch(DynamicPropertyRegistry registry) throws IOException {
        // A context of its own, so a database of its own too.
        Path dataDir = Files.createTempDirectory("plaza-es-test-");
        registry.add("plaza.data-dir", dataDir::toString);
        registry.add("plaza.search.es-url", TestElasticsearch::url);
        registry.add("plaza.search.alias", () -> "test-listings-" + Long.toString(System.nanoTime(), 36));
        registry.add("plaza.search.retry-interval", () -> "1s");
    }

    @Override
    protected String backend() {
        return "elasticsearch";
    }
}
