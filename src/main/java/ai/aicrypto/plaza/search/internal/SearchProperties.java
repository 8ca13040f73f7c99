package ai.aicrypto.plaza.search.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param esUrl Elasticsearch's URL (PLAZA_SEARCH_ES_URL); empty selects PostgreSQL search alone
 * @param alias the alias searches and writes go through; each rebuild makes a new index behind it
 */
@ConfigurationProperties("plaza.search")
record SearchProperties(String esUrl, String alias) {

    SearchProperties {
        alias = alias == null || alias.isBlank() ? "plaza-search" : alias;
    }

    boolean elasticsearchEnabled() {
        return esUrl != null && !esUrl.isBlank();
    }

    /** Not the URL, which may carry credentials. */
    @Override
    public String toString() {
        return "SearchProperties[elasticsearch=" + elasticsearchEnabled() + ", alias=" + alias + "]";
    }
}
