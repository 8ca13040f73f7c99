-- Search facets on the task a listing serves, and sorts by popularity and rating.
ALTER TABLE listings ADD COLUMN task VARCHAR(16) CHECK (task IN ('CLASSIFICATION', 'REGRESSION'));
UPDATE listings l SET task = upper(m.task) FROM models m WHERE m.listing_id = l.id;
-- A dataset's labels are classes unless its profile found none (a numeric label: regression).
UPDATE listings l
SET task = CASE WHEN jsonb_array_length(coalesce(d.profile -> 'classes', '[]')) > 0 THEN 'CLASSIFICATION'
                ELSE 'REGRESSION' END
FROM datasets d WHERE d.listing_id = l.id AND d.label_column IS NOT NULL;

-- The view of V10, with the task (a competition's follows from its metric), popularity (licenses in
-- force for listings; teams for competitions; verified results for GPU offers) and the rating
-- (listings only). Popularity and rating of offers and competitions are counted here for
-- PostgreSQL; Elasticsearch's copy is refreshed when the offer or competition changes.
DROP VIEW search_documents;
CREATE VIEW search_documents AS
SELECT l.id, l.kind, CAST(NULL AS varchar) AS slug, l.title, l.description, CAST(NULL AS text) AS detail, l.tags,
       l.search_terms, l.license, l.price_aic, CAST(NULL AS varchar) AS gpu_model, l.owner_id, l.created_at,
       l.search_vector, l.task, coalesce(s.licenses, 0) AS popularity, s.rating, coalesce(s.reviews, 0) AS reviews,
       CASE WHEN s.reviews > 0 THEN CAST(s.stars_total AS double precision) / s.reviews END AS average_stars
FROM listings l LEFT JOIN listing_stats s ON s.listing_id = l.id
WHERE l.status = 'PUBLISHED'
UNION ALL
SELECT id, 'GPU_OFFER', NULL, title,
       concat_ws(' · ', gpu_model, round(gpu_memory_mb / 1024.0) || ' GB', region,
                 round(CAST(measured_score AS numeric)) || ' samples/s'),
       NULL, '{}', gpu_model || ' ' || region, NULL, price_per_hour_aic, gpu_model, provider_id, created_at,
       search_vector, NULL,
       (SELECT count(*) FROM job_results r JOIN workers w ON w.id = r.worker_id
        WHERE w.offer_id = o.id AND r.verdict = 'VERIFIED'), NULL, 0, NULL
FROM gpu_offers o
UNION ALL
-- Entering a competition is free: price 0.
SELECT id, 'COMPETITION', slug, title, overview,
       metric || ' · ' || to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' – '
           || to_char(ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
       '{}', metric, NULL, 0, NULL, host_id, created_at, search_vector,
       CASE WHEN metric IN ('RMSE', 'MAE') THEN 'REGRESSION' ELSE 'CLASSIFICATION' END,
       (SELECT count(*) FROM teams t WHERE t.competition_id = c.id), NULL, 0, NULL
FROM competitions c;
