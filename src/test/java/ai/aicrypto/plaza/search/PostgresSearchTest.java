package ai.aicrypto.plaza.search;

/** The contract on the PostgreSQL full-text backend (the default: no Elasticsearch configured). */
class PostgresSearchTest extends SearchContractTest {

    @Override
    protected String backend() {
        return "postgresql";
    }
}
