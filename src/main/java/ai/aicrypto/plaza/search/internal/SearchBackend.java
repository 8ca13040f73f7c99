package ai.aicrypto.plaza.search.internal;

import java.util.List;

import ai.aicrypto.plaza.search.SearchQuery;
import ai.aicrypto.plaza.search.SearchResults;

/** The search port: PostgreSQL full-text search and Elasticsearch both implement it. */
interface SearchBackend {

    SearchResults search(SearchQuery query);

    List<String> suggest(String prefix, int limit);
}
