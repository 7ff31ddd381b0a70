-- Inspection SQL for humans with psql, e.g. SELECT * FROM deja.entries LIMIT 20;
SET LOCAL search_path = "${flyway:defaultSchema}", "${vector_schema}";

CREATE VIEW entries AS
SELECT e.cache_key, e.prompt, e.bucket, e.model, b.byte_size AS size_bytes,
       e.exact_hits AS hits, e.semantic_hits, e.created_at, e.last_hit_at, e.source,
       e.alias_of, e.expires_at
  FROM cache_entry e
  JOIN image_blob b ON b.sha256 = e.blob_sha256;

CREATE VIEW hit_rate_daily AS
SELECT day, requests, exact_hits, semantic_hits, misses, bypasses, stores, store_drops,
       round((exact_hits + semantic_hits)::numeric / nullif(requests, 0), 4) AS hit_rate,
       round(semantic_hits::numeric / nullif(requests, 0), 4) AS semantic_hit_rate
  FROM daily_counter;

CREATE VIEW top_prompts AS
SELECT e.prompt, e.model, e.bucket, e.exact_hits, e.semantic_hits,
       e.exact_hits + e.semantic_hits AS total_hits, e.last_hit_at, e.source
  FROM cache_entry e
 ORDER BY e.exact_hits + e.semantic_hits DESC, e.last_hit_at DESC NULLS LAST;

-- The k most similar origin entries in the same partition (bucket, model, embedding model).
-- The ORDER BY on an expression keeps the planner off HNSW, which could return too few rows.
CREATE FUNCTION neighbors(cache_key text, k integer DEFAULT 5)
RETURNS TABLE (neighbor_key text, prompt text, similarity double precision)
LANGUAGE sql STABLE
SET search_path = "${flyway:defaultSchema}", "${vector_schema}"
AS $$
  SELECT n.cache_key, n.prompt, 1 - (n.embedding <=> q.embedding) AS similarity
    FROM cache_entry q
    JOIN cache_entry n
      ON n.bucket = q.bucket AND n.model = q.model
     AND n.embedding_model_id = q.embedding_model_id
   WHERE q.cache_key = neighbors.cache_key
     AND q.embedding IS NOT NULL
     AND n.source = 'origin' AND n.embedding IS NOT NULL
     AND n.cache_key <> q.cache_key
   ORDER BY 1 - (n.embedding <=> q.embedding) DESC
   LIMIT k
$$;
