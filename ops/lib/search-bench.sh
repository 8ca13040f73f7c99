# What the search benches share (ops/bench/search, ops/bench/search-kinds): the seeded listings, the queries and ab's
# percentiles. Source after common.sh.

# The bench's queries, `name|query string` of /search.
SEARCH_BENCH_QUERIES=(
    "one_word|q=weather"
    "two_words|q=satellite+scans"
    "misspelt|q=wether+readngs"
    "facet_filter|q=images&kind=DATASET&price=free&license=MIT"
)

# seed_bench_listings DB_PORT COUNT: COUNT listings owned by the database's first user, 1 in 50 unpublished, words
# drawn so that every query above matches many (the same data in every run).
seed_bench_listings() {
    local port=$1 count=$2
    psql -q -h localhost -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 <<SQL
INSERT INTO listings (kind, owner_id, title, description, description_text, tags, tag_text, license, price_aic, status, task, created_at, updated_at)
SELECT CASE WHEN g % 3 = 0 THEN 'MODEL' ELSE 'DATASET' END,
       (SELECT min(id) FROM users),
       initcap(s) || ' ' || n || ' ' || a || ' ' || g,
       prose.description, prose.description,
       ARRAY[s, n], s || ' ' || n,
       (ARRAY['MIT', 'CC-BY-4.0', 'CC0-1.0', 'Apache-2.0'])[1 + g % 4],
       CASE WHEN g % 4 = 0 THEN 0 ELSE (g % 2000) / 10.0 END,
       CASE WHEN g % 50 = 0 THEN 'UNPUBLISHED' ELSE 'PUBLISHED' END,
       CASE u WHEN 'classification' THEN 'CLASSIFICATION' WHEN 'regression' THEN 'REGRESSION' END,
       now() - make_interval(secs => g), now() - make_interval(secs => g)
FROM generate_series(1, $count) AS g,
     LATERAL (SELECT (ARRAY['fashion','weather','traffic','medical','retail','finance','satellite','speech','sensor',
                            'energy','agriculture','sports','music','legal','education','패션','날씨','의료'])[1 + g % 18] AS s,
                     (ARRAY['images','readings','records','transcripts','logs','prices','scans','reviews','signals',
                            'tables','videos','captions'])[1 + (g / 18) % 12] AS n,
                     (ARRAY['clean','raw','labelled','annotated','hourly','daily','anonymised','curated','synthetic',
                            'public'])[1 + (g / 216) % 10] AS a,
                     (ARRAY['classification','forecasting','detection','regression','clustering'])[1 + g % 5] AS u) words,
     LATERAL (SELECT 'A ' || a || ' collection of ' || s || ' ' || n || ' for ' || u || '. Collected in '
                     || (2000 + g % 26) || '.' AS description) prose;
-- Sets hint bits and the visibility map now, or the first searches timed would pay for it.
VACUUM ANALYZE listings;
SQL
}

# ab_percentile P FILE: ab's line "95%    12" (milliseconds), for 50, 95 and 99.
ab_percentile() { awk -v p="$1%" '$1 == p {print $2}' "$2"; }

# ab_measure NAME N CONCURRENCY DIR AB_ARGS...: N requests, fails on any failed one; prints NAME_p50_ms, _p95_ms, _p99_ms.
ab_measure() {
    local name=$1 n=$2 concurrency=$3 dir=$4; shift 4
    # -l: responses of different lengths (timings inside the answers) are not failures.
    # No -k: ab speaks HTTP/1.0 keep-alive, which Elasticsearch does not keep, and ab then hangs.
    ab -q -l -n "$n" -c "$concurrency" "$@" > "$dir/$name.ab" 2>&1
    local failed
    failed=$(awk '/^Failed requests/ {print $3}' "$dir/$name.ab")
    [[ "$failed" == 0 ]] || { echo "$name: $failed failed requests" >&2; cat "$dir/$name.ab" >&2; return 1; }
    printf '%s_p50_ms %s\n%s_p95_ms %s\n%s_p99_ms %s\n' "$name" "$(ab_percentile 50 "$dir/$name.ab")" \
        "$name" "$(ab_percentile 95 "$dir/$name.ab")" "$name" "$(ab_percentile 99 "$dir/$name.ab")"
}

# ratio A B: A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }'; }
