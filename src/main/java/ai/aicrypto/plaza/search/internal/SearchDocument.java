package ai.aicrypto.plaza.search.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.search.SearchKind;

/**
 * One thing the Elasticsearch index holds, whatever its kind: the same shape as a row of the
 * {@code search_documents} view that PostgreSQL searches.
 *
 * @param slug    a competition's URL name; null for other kinds
 * @param detail  a kind-specific line shown under the snippet; null when there is none
 * @param stats   popularity and reviews
 * @param version the external version for Elasticsearch (a listing's update time plus its stats'
 *                revision), or null where the kind keeps none and the last write wins
 */
record SearchDocument(SearchKind kind, long id, String slug, String title, String description, String detail,
                      List<String> tags, String searchTerms, String license, BigDecimal priceAic, String gpuModel,
                      String ownerName, Instant createdAt, Task task, Stats stats, Long version) {

    /**
     * What a document is sorted by besides its text: popularity (licenses in force, teams, verified
     * jobs), the Bayesian rating (null without reviews), the number of reviews and their plain average.
     */
    record Stats(long popularity, Double rating, int reviews, Double averageStars) {

        static final Stats NONE = new Stats(0, null, 0, null);
    }

    static SearchDocument of(ListingDocument doc, Stats stats, long version) {
        return new SearchDocument(SearchKind.of(doc.kind()), doc.id(), null, doc.title(), doc.description(), null,
                doc.tags(), doc.searchTerms(), doc.license(), doc.priceAic(), null, doc.ownerName(), doc.createdAt(),
                doc.task(), stats, version);
    }

    /** Listings keep their bare id, as before other kinds were indexed; ids of other kinds are unique within their kind only. */
    String documentId() {
        return documentId(kind, id);
    }

    static String documentId(SearchKind kind, long id) {
        return kind.listing() ? Long.toString(id) : kind.name().toLowerCase() + "-" + id;
    }
}
