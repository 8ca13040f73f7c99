package ai.aicrypto.plaza.search;

import java.util.List;

/** The search module's API. Only published listings are ever returned. */
public interface Search {

    SearchResults search(SearchQuery query);

    /** Titles that start with, or closely match, what has been typed so far. */
    List<String> suggest(String prefix, int limit);
}
