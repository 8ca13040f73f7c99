package ai.aicrypto.plaza.search.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.search.SearchKind;
import ai.aicrypto.plaza.search.SearchHit;
import ai.aicrypto.plaza.search.SearchQuery;
import ai.aicrypto.plaza.search.SearchResults;
import ai.aicrypto.plaza.search.SearchResults.FacetValue;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.SearchRequest;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Search with Elasticsearch: a fuzzy multi-field match (title above tags above terms above
 * description), filters, facets as aggregations and search_after paging; matches are marked by
 * {@link MatchMarker}.
 */
class ElasticsearchSearchBackend implements SearchBackend {

    static final String NAME = "elasticsearch";
    private static final Logger log = LoggerFactory.getLogger(ElasticsearchSearchBackend.class);
    private static final int TAG_FACET_SIZE = 15;
    /** What a hit shows (see {@link #hit}); the rest of a document is for matching and sorting only. */
    private static final List<String> SHOWN_FIELDS = List.of("id", "kind", "slug", "title", "description", "detail",
            "tags", "license", "price", "owner", "task", "popularity", "average_stars", "reviews");

    private final ElasticsearchClient client;
    private final Rest5Client restClient;
    private final String alias;
    private final JsonMapper json;

    ElasticsearchSearchBackend(ElasticsearchClient client, SearchProperties properties, JsonMapper json) {
        this.client = client;
        this.restClient = ((Rest5ClientTransport) client._transport()).restClient();
        this.alias = properties.alias();
        this.json = json;
    }

    /** Its client is its own (see ElasticsearchConfiguration#client). */
    void close() throws IOException {
        client.close();
    }

    @Override
    public SearchResults search(SearchQuery query) {
        ObjectNode body = json.createObjectNode();
        body.put("size", query.size() + 1);
        body.put("track_total_hits", true);
        ArrayNode source = body.putObject("_source").putArray("includes");
        SHOWN_FIELDS.forEach(source::add);
        body.set("query", query(query));
        body.set("sort", sort(query.sort()));
        if (query.after() != null) {
            List<String> cursor = SearchCursor.decode(query.after(), NAME, 3);
            ArrayNode after = body.putArray("search_after");
            switch (query.sort()) {
                // As text: the date format reads it as epoch millis, whereas a JSON number would
                // reach Elasticsearch as a double and not continue the page.
                case NEWEST -> after.add(Long.toString(SearchCursor.<Long>value(cursor.get(0), Long::valueOf)));
                case POPULARITY -> after.add(SearchCursor.<Long>value(cursor.get(0), Long::valueOf).longValue());
                default -> after.add(SearchCursor.<Double>value(cursor.get(0), SearchCursor::finite).doubleValue());
            }
            after.add(SearchCursor.<Long>value(cursor.get(1), Long::valueOf).longValue());
            after.add(SearchCursor.<String>value(cursor.get(2), kind -> SearchKind.valueOf(kind).name()));
        }
        ObjectNode aggs = body.putObject("aggs");
        aggs.putObject("kind").putObject("terms").put("field", "kind");
        aggs.putObject("license").putObject("terms").put("field", "license");
        aggs.putObject("tag").putObject("terms").put("field", "tags").put("size", TAG_FACET_SIZE);
        aggs.putObject("price").putObject("terms").put("field", "free");
        aggs.putObject("gpuModel").putObject("terms").put("field", "gpu_model").put("size", TAG_FACET_SIZE);
        aggs.putObject("task").putObject("terms").put("field", "task");
        ArrayNode ranges = aggs.putObject("priceRange").putObject("range").put("field", "price_value").putArray("ranges");
        ranges.addObject().put("key", "0").put("to", 1e-18);
        ranges.addObject().put("key", "0-10").put("from", 1e-18).put("to", 10);
        ranges.addObject().put("key", "10-100").put("from", 10).put("to", 100);
        ranges.addObject().put("key", "100-").put("from", 100);

        log.debug("Elasticsearch request: {}", body);
        // The low-level client with the JSON as written: the typed client parsed it into request
        // objects and the answer into typed aggregations, a tenth of the results page's CPU.
        Request request = new Request("POST", "/" + alias + "/_search");
        request.setJsonEntity(body.toString());
        JsonNode response;
        try (InputStream in = restClient.performRequest(request).getEntity().getContent()) {
            response = json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode all = response.path("hits").path("hits");
        boolean more = all.size() > query.size();
        int shown = Math.min(all.size(), query.size());
        MatchMarker marker = new MatchMarker(query.text());
        List<SearchHit> hits = new ArrayList<>(shown);
        for (int i = 0; i < shown; i++) {
            hits.add(hit(all.get(i).path("_source"), marker));
        }
        String next = null;
        if (more) {
            JsonNode sortValues = all.get(shown - 1).path("sort");
            next = SearchCursor.encode(NAME, List.of(sortValues.get(0).asString(), sortValues.get(1).asString(),
                    sortValues.get(2).asString()));
        }
        long total = response.path("hits").path("total").path("value").asLong(hits.size());
        return new SearchResults(hits, total, facets(response.path("aggregations")), next, NAME, false);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List<String> suggest(String prefix, int limit) {
        String p = prefix.strip();
        if (p.isEmpty()) {
            return List.of();
        }
        ObjectNode body = json.createObjectNode();
        body.putObject("_source").putArray("includes").add("title");
        ObjectNode completion = body.putObject("suggest").putObject("titles").put("prefix", p).putObject("completion");
        completion.put("field", "suggest").put("size", limit).put("skip_duplicates", true);
        completion.putObject("fuzzy").put("fuzziness", "AUTO");
        try {
            SearchResponse<Map> response = client.search(
                    SearchRequest.of(r -> r.index(alias).withJson(new StringReader(body.toString()))), Map.class);
            return response.suggest().get("titles").stream()
                    .flatMap(s -> s.completion().options().stream())
                    .map(o -> o.text())
                    .distinct().limit(limit).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode query(SearchQuery q) {
        ObjectNode bool = json.createObjectNode();
        ObjectNode root = json.createObjectNode();
        root.set("bool", bool);
        if (q.text().isEmpty()) {
            bool.putArray("must").addObject().putObject("match_all");
        } else {
            // Words with typos anywhere, or the beginning of a title being typed; an exact phrase ranks higher.
            ObjectNode text = bool.putArray("must").addObject().putObject("bool");
            text.put("minimum_should_match", 1);
            ArrayNode any = text.putArray("should");
            ObjectNode fuzzy = any.addObject().putObject("multi_match");
            fuzzy.put("query", q.text()).put("fuzziness", "AUTO").put("prefix_length", 1).put("operator", "and");
            fuzzy.putArray("fields").add("title^4").add("tags_text^3").add("search_terms^2").add("description");
            ObjectNode prefix = any.addObject().putObject("multi_match");
            prefix.put("query", q.text()).put("type", "bool_prefix").put("operator", "and");
            prefix.putArray("fields").add("title^2").add("tags_text");
            bool.putArray("should").addObject().putObject("match_phrase").putObject("title")
                    .put("query", q.text()).put("boost", 2);
        }
        ArrayNode filter = bool.putArray("filter");
        if (!q.kinds().isEmpty()) {
            ArrayNode kinds = filter.addObject().putObject("terms").putArray("kind");
            q.kinds().forEach(k -> kinds.add(k.name()));
        }
        if (q.tag() != null) {
            filter.addObject().putObject("term").put("tags", q.tag().toLowerCase());
        }
        if (q.license() != null) {
            filter.addObject().putObject("term").put("license", q.license());
        }
        if (q.gpuModel() != null) {
            filter.addObject().putObject("term").put("gpu_model", q.gpuModel());
        }
        if (q.task() != null) {
            filter.addObject().putObject("term").put("task", q.task().name());
        }
        switch (q.price()) {
            case FREE -> filter.addObject().putObject("term").put("free", true);
            case PAID -> filter.addObject().putObject("term").put("free", false);
            case ANY -> { }
        }
        if (q.minPrice() != null || q.maxPrice() != null) {
            ObjectNode range = filter.addObject().putObject("range").putObject("price_value");
            if (q.minPrice() != null) {
                range.put("gte", q.minPrice().doubleValue());
            }
            if (q.maxPrice() != null) {
                range.put("lt", q.maxPrice().doubleValue());
            }
        }
        return root;
    }

    private ArrayNode sort(SearchQuery.Sort sort) {
        ArrayNode node = json.createArrayNode();
        switch (sort) {
            case RELEVANCE -> node.addObject().putObject("_score").put("order", "desc");
            case NEWEST -> node.addObject().putObject("created_at").put("order", "desc");
            case PRICE_ASC -> node.addObject().putObject("price_value").put("order", "asc");
            case PRICE_DESC -> node.addObject().putObject("price_value").put("order", "desc");
            case POPULARITY -> node.addObject().putObject("popularity").put("order", "desc");
            // Unrated documents sort as -1, below every rating (1 to 5), as in PostgreSQL.
            case RATING -> node.addObject().putObject("rating").put("order", "desc").put("missing", -1);
        }
        // Ids are unique within a kind only, so the kind breaks the last ties.
        String ties = sort == SearchQuery.Sort.PRICE_ASC ? "asc" : "desc";
        node.addObject().putObject("id").put("order", ties);
        node.addObject().putObject("kind").put("order", ties);
        return node;
    }

    private static SearchHit hit(JsonNode source, MatchMarker marker) {
        String title = source.path("title").asString();
        List<String> tags = new ArrayList<>();
        source.path("tags").forEach(tag -> tags.add(tag.asString()));
        long id = source.path("id").asLong();
        SearchKind kind = SearchKind.valueOf(source.path("kind").asString());
        JsonNode task = source.path("task");
        JsonNode averageStars = source.path("average_stars");
        return new SearchHit(id, kind, kind.url(id, text(source, "slug")), title, Highlights.toHtml(marker.mark(title)),
                Highlights.toHtml(marker.snippet(text(source, "description"))), text(source, "detail"), tags,
                text(source, "license"), new BigDecimal(source.path("price").asString()), text(source, "owner"),
                task.isString() ? Task.valueOf(task.asString()) : null, source.path("popularity").asLong(),
                averageStars.isNumber() ? averageStars.asDouble() : null, source.path("reviews").asInt());
    }

    /** A text field of the document, or null where it has none. */
    private static String text(JsonNode source, String field) {
        JsonNode value = source.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    private static Map<String, List<FacetValue>> facets(JsonNode aggs) {
        Map<String, List<FacetValue>> facets = new LinkedHashMap<>();
        facets.put("kind", terms(aggs.path("kind")));
        facets.put("license", terms(aggs.path("license")));
        List<FacetValue> price = new ArrayList<>();
        for (JsonNode bucket : aggs.path("price").path("buckets")) {
            price.add(new FacetValue(bucket.path("key").asLong() == 1 ? "free" : "paid", bucket.path("doc_count").asLong()));
        }
        facets.put("price", price);
        List<FacetValue> ranges = new ArrayList<>();
        for (JsonNode bucket : aggs.path("priceRange").path("buckets")) {
            if (bucket.path("doc_count").asLong() > 0) {
                ranges.add(new FacetValue(bucket.path("key").asString(), bucket.path("doc_count").asLong()));
            }
        }
        facets.put("priceRange", ranges);
        facets.put("gpuModel", terms(aggs.path("gpuModel")));
        facets.put("task", terms(aggs.path("task")));
        facets.put("tag", terms(aggs.path("tag")));
        return facets;
    }

    private static List<FacetValue> terms(JsonNode aggregate) {
        List<FacetValue> values = new ArrayList<>();
        for (JsonNode bucket : aggregate.path("buckets")) {
            values.add(new FacetValue(bucket.path("key").asString(), bucket.path("doc_count").asLong()));
        }
        return values;
    }
}
