-- PostgreSQL search counts exactly up to a few thousand matches; past that it estimates totals and
-- facet counts from a sample (PostgresSearchBackend): the listings of one bucket in 64, chosen by a
-- hash of the id (so that no pattern in ids or in the order rows were written biases it), scaled up
-- by 64. GPU offers and competitions are few: all of them are in bucket 0, each counting once, so
-- their counts stay exact. The view of V13 with these two columns; V40 indexes the bucket.
DROP VIEW search_documents;
CREATE VIEW search_documents AS
SELECT l.id, l.kind, CAST(NULL AS varchar) AS slug, l.title, l.description_text AS description, CAST(NULL AS text) AS detail, l.tags,
       l.search_terms, l.license, l.price_aic, CAST(NULL AS varchar) AS gpu_model, l.owner_id, l.created_at,
       l.search_vector, l.task, coalesce(s.licenses, 0) AS popularity, s.rating, coalesce(s.reviews, 0) AS reviews,
       CASE WHEN s.reviews > 0 THEN CAST(s.stars_total AS double precision) / s.reviews END AS average_stars,
       hashint8(l.id) & 63 AS sample_bucket, 64 AS sample_one_in
FROM listings l LEFT JOIN listing_stats s ON s.listing_id = l.id
WHERE l.status = 'PUBLISHED'
UNION ALL
SELECT id, 'GPU_OFFER', NULL, title,
       concat_ws(' · ', gpu_model, round(gpu_memory_mb / 1024.0) || ' GB', region,
                 round(CAST(measured_score AS numeric)) || ' samples/s'),
       NULL, '{}', gpu_model || ' ' || region, NULL, price_per_hour_aic, gpu_model, provider_id, created_at,
       search_vector, NULL,
       (SELECT count(*) FROM job_results r JOIN workers w ON w.id = r.worker_id
        WHERE w.offer_id = o.id AND r.verdict = 'VERIFIED'), NULL, 0, NULL, 0, 1
FROM gpu_offers o
UNION ALL
-- Entering a competition is free: price 0.
SELECT id, 'COMPETITION', slug, title, overview_text,
       metric || ' · ' || to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' – '
           || to_char(ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
       '{}', metric, NULL, 0, NULL, host_id, created_at, search_vector,
       CASE WHEN metric IN ('RMSE', 'MAE') THEN 'REGRESSION' ELSE 'CLASSIFICATION' END,
       (SELECT count(*) FROM teams t WHERE t.competition_id = c.id), NULL, 0, NULL, 0, 1
FROM competitions c;
