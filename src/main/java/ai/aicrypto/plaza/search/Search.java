package ai.aicrypto.plaza.search;

import java.util.List;

/**
 * The search module's API, across listings, GPU offers and competitions. Only what anonymous users
 * may see is ever returned: published listings, and no private data of competitions.
 */
public interface Search {

    SearchResults search(SearchQuery query);

    /** Titles that start with, or closely match, what has been typed so far. */
    List<String> suggest(String prefix, int limit);
}
