package ai.aicrypto.plaza.search.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
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
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch.core.SearchRequest;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    private final ElasticsearchClient client;
    private final String alias;
    private final JsonMapper json;

    ElasticsearchSearchBackend(ElasticsearchClient client, SearchProperties properties, JsonMapper json) {
        this.client = client;
        this.alias = properties.alias();
        this.json = json;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public SearchResults search(SearchQuery query) {
        ObjectNode body = json.createObjectNode();
        body.put("size", query.size() + 1);
        body.put("track_total_hits", true);
        body.set("query", query(query));
        body.set("sort", sort(query.sort()));
        if (query.after() != null) {
            List<String> cursor = SearchCursor.decode(query.after(), NAME, 3);
            ArrayNode after = body.putArray("search_after");
            switch (query.sort()) {
                // As text: the date format reads it as epoch millis, whereas a JSON number would
                // reach Elasticsearch as a double and not continue the page.
                case NEWEST -> after.add(String.valueOf(Long.parseLong(cursor.get(0))));
                case POPULARITY -> after.add(Long.parseLong(cursor.get(0)));
                default -> after.add(Double.parseDouble(cursor.get(0)));
            }
            after.add(Long.parseLong(cursor.get(1)));
            after.add(cursor.get(2));
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
        SearchResponse<Map> response;
        try {
            response = client.search(SearchRequest.of(r -> r.index(alias).withJson(new StringReader(body.toString()))),
                    Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Hit<Map>> all = response.hits().hits();
        boolean more = all.size() > query.size();
        List<Hit<Map>> shown = more ? all.subList(0, query.size()) : all;
        MatchMarker marker = new MatchMarker(query.text());
        List<SearchHit> hits = shown.stream().map(hit -> hit(hit, marker)).toList();
        String next = null;
        if (more) {
            List<FieldValue> sortValues = shown.get(shown.size() - 1).sort();
            next = SearchCursor.encode(NAME, List.of(text(sortValues.get(0)), text(sortValues.get(1)), text(sortValues.get(2))));
        }
        long total = response.hits().total() == null ? hits.size() : response.hits().total().value();
        return new SearchResults(hits, total, facets(response.aggregations()), next, NAME);
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

    @SuppressWarnings("rawtypes")
    private SearchHit hit(Hit<Map> hit, MatchMarker marker) {
        Map source = hit.source();
        String title = (String) source.get("title");
        String titleMarked = marker.mark(title);
        String snippetMarked = marker.snippet((String) source.get("description"));
        @SuppressWarnings("unchecked")
        List<String> tags = (List<String>) source.get("tags");
        long id = ((Number) source.get("id")).longValue();
        SearchKind kind = SearchKind.valueOf((String) source.get("kind"));
        String task = (String) source.get("task");
        Number averageStars = (Number) source.get("average_stars");
        return new SearchHit(id, kind, kind.url(id, (String) source.get("slug")), title, Highlights.toHtml(titleMarked),
                Highlights.toHtml(snippetMarked), (String) source.get("detail"), tags, (String) source.get("license"),
                new BigDecimal((String) source.get("price")), (String) source.get("owner"),
                Instant.parse((String) source.get("created_at")), task == null ? null : Task.valueOf(task),
                ((Number) source.get("popularity")).longValue(), averageStars == null ? null : averageStars.doubleValue(),
                ((Number) source.get("reviews")).intValue());
    }

    private static Map<String, List<FacetValue>> facets(Map<String, Aggregate> aggs) {
        Map<String, List<FacetValue>> facets = new LinkedHashMap<>();
        facets.put("kind", terms(aggs.get("kind")));
        facets.put("license", terms(aggs.get("license")));
        List<FacetValue> price = new ArrayList<>();
        for (var bucket : aggs.get("price").lterms().buckets().array()) {
            price.add(new FacetValue(bucket.key() == 1 ? "free" : "paid", bucket.docCount()));
        }
        facets.put("price", price);
        List<FacetValue> ranges = new ArrayList<>();
        for (var bucket : aggs.get("priceRange").range().buckets().array()) {
            if (bucket.docCount() > 0) {
                ranges.add(new FacetValue(bucket.key(), bucket.docCount()));
            }
        }
        facets.put("priceRange", ranges);
        facets.put("gpuModel", terms(aggs.get("gpuModel")));
        facets.put("task", terms(aggs.get("task")));
        facets.put("tag", terms(aggs.get("tag")));
        return facets;
    }

    private static List<FacetValue> terms(Aggregate aggregate) {
        return aggregate.sterms().buckets().array().stream()
                .map(b -> new FacetValue(b.key().stringValue(), b.docCount())).toList();
    }

    private static String text(FieldValue value) {
        return switch (value._kind()) {
            case Double -> Double.toString(value.doubleValue());
            case Long -> Long.toString(value.longValue());
            case String -> value.stringValue();
            default -> value._toJsonString();
        };
    }
}
