package ai.aicrypto.plaza.search.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.search.SearchKind;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Elasticsearch index of everything searchable (listings, GPU offers, competitions), always
 * used through an alias. A rebuild creates a new index from the mapping in
 * {@code search/search-index.json}, fills it from the catalog and the {@code search_documents}
 * view and then moves the alias in one atomic step, so searches never see a half-built index.
 */
class SearchIndex {

    private static final Logger log = LoggerFactory.getLogger(SearchIndex.class);
    private static final DateTimeFormatter INDEX_SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
            .withZone(ZoneOffset.UTC);
    private static final int BULK_SIZE = 1000;

    private final ElasticsearchClient client;
    private final String alias;
    private final Catalog catalog;
    private final SearchDocuments documents;
    private final Clock clock;

    SearchIndex(ElasticsearchClient client, SearchProperties properties, Catalog catalog, SearchDocuments documents,
                Clock clock) {
        this.client = client;
        this.alias = properties.alias();
        this.catalog = catalog;
        this.documents = documents;
        this.clock = clock;
    }

    String alias() {
        return alias;
    }

    /**
     * Creates the first index behind the alias if there is none, and fills it from the catalog; rebuilds it when
     * its mapping is older than the one in the repository (the mapping's {@code _meta.version}).
     */
    void ensureExists() throws IOException {
        if (!client.indices().existsAlias(a -> a.name(alias)).value()) {
            rebuild();
            return;
        }
        long current = mappingVersion();
        var mappings = client.indices().getMapping(m -> m.index(alias)).mappings().values();
        boolean stale = mappings.stream().anyMatch(index -> {
            var meta = index.mappings().meta();
            return meta == null || !meta.containsKey("version") || meta.get("version").to(Long.class) != current;
        });
        if (stale) {
            log.info("Search index {} has an older mapping than version {}: rebuilding it", alias, current);
            rebuild();
        }
    }

    private static long mappingVersion() throws IOException {
        try (InputStream mapping = new ClassPathResource("search/search-index.json").getInputStream()) {
            return JsonMapper.builder().build().readTree(mapping).path("mappings").path("_meta")
                    .path("version").asLong();
        }
    }

    /** Builds a fresh index from the catalog and swaps the alias to it; returns the documents indexed. */
    long rebuild() throws IOException {
        String index = alias + "-" + INDEX_SUFFIX.format(clock.instant());
        try (InputStream mapping = new ClassPathResource("search/search-index.json").getInputStream()) {
            client.indices().create(c -> c.index(index).withJson(mapping));
        }
        Instant started = clock.instant();
        Instant statsStarted = documents.databaseNow();
        long[] indexed = {0};
        Set<String> previous;
        try {
            catalog.forEachDocument(null, BULK_SIZE, batch -> indexed[0] += bulk(index,
                    documents(batch.stream().filter(ListingDocument::published).toList())));
            indexed[0] += bulk(index, documents.allButListings());
            client.indices().refresh(r -> r.index(index));
            previous = client.indices().existsAlias(a -> a.name(alias)).value()
                    ? client.indices().getAlias(a -> a.name(alias)).aliases().keySet()
                    : Set.of();
            client.indices().updateAliases(u -> {
                u.actions(a -> a.add(add -> add.index(index).alias(alias)));
                previous.forEach(old -> u.actions(a -> a.remove(r -> r.index(old).alias(alias))));
                return u;
            });
        } catch (IOException | RuntimeException e) {
            // Leave no half-built index behind; the alias still points at the previous one.
            client.indices().delete(d -> d.index(index).ignoreUnavailable(true));
            throw e;
        }
        for (String old : previous) {
            client.indices().delete(d -> d.index(old));
        }
        // Changes made while the new index was filling went to the old one: replay them. Offers and
        // competitions keep no update time, and are few: all of them are written again.
        catalog.forEachDocument(started, BULK_SIZE, batch -> batch.forEach(this::syncUnchecked));
        for (long listingId : documents.listingsWithStatsChangedSince(statsStarted)) {
            catalog.document(listingId).ifPresent(this::syncUnchecked);
        }
        bulk(alias, documents.allButListings());
        log.info("Search index {} built with {} documents; alias {} moved from {}", index, indexed[0], alias, previous);
        return indexed[0];
    }

    /**
     * Writes a published listing, removes any other, so the index holds exactly the published
     * ones. The listing's update time plus its stats' revision is the document's external version
     * (both only grow): when two deliveries race, Elasticsearch keeps the newer state and refuses
     * the older one.
     */
    void sync(ListingDocument doc) throws IOException {
        SearchDocument document = documents(List.of(doc)).get(0);
        long version = document.version();
        try {
            if (doc.published()) {
                client.index(i -> i.index(alias).id(Long.toString(doc.id())).document(source(document))
                        .versionType(VersionType.External).version(version));
            } else {
                client.delete(d -> d.index(alias).id(Long.toString(doc.id()))
                        .versionType(VersionType.External).version(version));
            }
        } catch (ElasticsearchException e) {
            if (e.status() != 409) {
                throw e;
            }
            // A newer state is indexed already.
        }
    }

    /** Removes a listing that no longer exists in the catalog. */
    void delete(long id) throws IOException {
        client.delete(d -> d.index(alias).id(Long.toString(id)));
    }

    /** Writes a GPU offer or competition as the database has it now, or removes it when it is gone. */
    void sync(SearchKind kind, long id) throws IOException {
        var doc = documents.find(kind, id);
        if (doc.isPresent()) {
            client.index(i -> i.index(alias).id(doc.get().documentId()).document(source(doc.get())));
        } else {
            client.delete(d -> d.index(alias).id(SearchDocument.documentId(kind, id)));
        }
    }

    private void syncUnchecked(ListingDocument doc) {
        try {
            sync(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The listings with their stats, versioned. */
    private List<SearchDocument> documents(List<ListingDocument> listings) {
        var stats = documents.listingStats(listings.stream().map(ListingDocument::id).toList());
        return listings.stream().map(doc -> {
            var listingStats = stats.get(doc.id());
            long version = ChronoUnit.MICROS.between(Instant.EPOCH, doc.updatedAt())
                    + (listingStats == null ? 0 : listingStats.revision());
            return SearchDocument.of(doc, listingStats == null ? SearchDocument.Stats.NONE : listingStats.stats(), version);
        }).toList();
    }

    private long bulk(String index, List<SearchDocument> docs) {
        if (docs.isEmpty()) {
            return 0;
        }
        var request = new BulkRequest.Builder().index(index);
        for (SearchDocument doc : docs) {
            request.operations(op -> op.index(i -> {
                i.id(doc.documentId()).document(source(doc));
                return doc.version() == null ? i : i.versionType(VersionType.External).version(doc.version());
            }));
        }
        try {
            BulkResponse response = client.bulk(request.build());
            if (response.errors()) {
                throw new IllegalStateException("Bulk indexing failed: " + response.items().stream()
                        .filter(item -> item.error() != null).findFirst().map(item -> item.error().reason()).orElse("?"));
            }
            return docs.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> source(SearchDocument doc) {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("id", doc.id());
        source.put("kind", doc.kind().name());
        source.put("slug", doc.slug());
        source.put("title", doc.title());
        source.put("description", doc.description());
        source.put("detail", doc.detail());
        source.put("tags", doc.tags());
        source.put("tags_text", String.join(" ", doc.tags()));
        source.put("search_terms", doc.searchTerms());
        source.put("license", doc.license());
        source.put("gpu_model", doc.gpuModel());
        source.put("price", doc.priceAic().toPlainString());
        source.put("price_value", doc.priceAic().doubleValue());
        source.put("free", doc.priceAic().signum() == 0);
        source.put("owner", doc.ownerName());
        source.put("created_at", doc.createdAt().toString());
        source.put("task", doc.task() == null ? null : doc.task().name());
        source.put("popularity", doc.stats().popularity());
        source.put("rating", doc.stats().rating());
        source.put("reviews", doc.stats().reviews());
        source.put("average_stars", doc.stats().averageStars());
        List<String> inputs = new ArrayList<>();
        inputs.add(doc.title());
        source.put("suggest", Map.of("input", inputs));
        return source;
    }
}
