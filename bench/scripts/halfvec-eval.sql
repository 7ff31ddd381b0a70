-- Issue 14: halfvec against vector partial HNSW indexes on the largest partition of a table left
-- by ScaleBenchmark (--keep-schema). Builds a halfvec expression index beside the partition's
-- vector index, times 200 new-prompt queries of each kind server-side (clock_timestamp around
-- EXECUTE), measures recall@3 against an exact full-precision scan, then drops the index.
--   psql -v schema=bench_s200k -v n=200 -f bench/scripts/halfvec-eval.sql
-- docs/DATABASE.md ("halfvec: evaluated, not adopted") has the numbers it printed.
SET search_path = :schema, public;
SET jit = off; SET plan_cache_mode = force_custom_plan; SET hnsw.iterative_scan = relaxed_order;
SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 0;
CREATE TEMP TABLE part AS SELECT bucket, model, embedding_model_id, count(*) n FROM cache_entry
  WHERE source = 'origin' AND embedding IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 1;
SELECT * FROM part;
SELECT format('CREATE INDEX halfvec_eval ON cache_entry USING hnsw ((embedding::halfvec(384))'
  || ' halfvec_cosine_ops) WITH (m = 16, ef_construction = 64) WHERE bucket = %L AND model = %L'
  || ' AND source = ''origin'' AND embedding IS NOT NULL', bucket, model) FROM part \gexec
-- queries: rows of the OTHER large partitions (new prompts) plus noise-free copies of this one's rows
CREATE TEMP TABLE q AS
  SELECT row_number() OVER () id, embedding v FROM (SELECT embedding FROM cache_entry e
   WHERE source='origin' AND embedding IS NOT NULL AND NOT EXISTS (SELECT 1 FROM part p WHERE p.bucket=e.bucket AND p.model=e.model)
   ORDER BY random() LIMIT :n) s;
CREATE OR REPLACE FUNCTION pg_temp.cmp(ef int) RETURNS TABLE(kind text, p50_ms float8, p99_ms float8, recall float8) LANGUAGE plpgsql AS $$
DECLARE r record; p record; t0 timestamptz; truth text[]; got text[]; lat_v float8[] := '{}'; lat_h float8[] := '{}'; rec_v float8 := 0; rec_h float8 := 0; cnt int := 0; w text;
BEGIN
  SELECT * INTO p FROM part;
  w := format('bucket = %L AND model = %L AND embedding_model_id = %L AND source = ''origin'' AND embedding IS NOT NULL', p.bucket, p.model, p.embedding_model_id);
  EXECUTE format('SET hnsw.ef_search = %s', ef);
  FOR r IN SELECT * FROM q LOOP
    EXECUTE format('SELECT array_agg(cache_key) FROM (SELECT cache_key FROM cache_entry WHERE %s ORDER BY (embedding <=> %L::vector) + 0 LIMIT 3) s', w, r.v) INTO truth;
    t0 := clock_timestamp();
    EXECUTE format('SELECT array_agg(cache_key) FROM (SELECT cache_key, prompt FROM cache_entry WHERE %s ORDER BY embedding <=> %L::vector LIMIT 3) s', w, r.v) INTO got;
    lat_v := lat_v || extract(epoch from clock_timestamp() - t0) * 1000;
    rec_v := rec_v + (SELECT count(*) FROM unnest(got) g WHERE g = ANY(truth)) / 3.0;
    t0 := clock_timestamp();
    EXECUTE format('SELECT array_agg(cache_key) FROM (SELECT cache_key, prompt FROM cache_entry WHERE %s ORDER BY embedding::halfvec(384) <=> %L::halfvec(384) LIMIT 3) s', w, r.v) INTO got;
    lat_h := lat_h || extract(epoch from clock_timestamp() - t0) * 1000;
    rec_h := rec_h + (SELECT count(*) FROM unnest(got) g WHERE g = ANY(truth)) / 3.0;
    cnt := cnt + 1;
  END LOOP;
  RETURN QUERY SELECT 'vector ef=' || ef, percentile_cont(0.5) WITHIN GROUP (ORDER BY x), percentile_cont(0.99) WITHIN GROUP (ORDER BY x), rec_v / cnt FROM unnest(lat_v) x;
  RETURN QUERY SELECT 'halfvec ef=' || ef, percentile_cont(0.5) WITHIN GROUP (ORDER BY x), percentile_cont(0.99) WITHIN GROUP (ORDER BY x), rec_h / cnt FROM unnest(lat_h) x;
END $$;
SELECT pg_size_pretty(pg_relation_size('halfvec_eval')) AS halfvec_index;
SELECT * FROM pg_temp.cmp(40);
SELECT * FROM pg_temp.cmp(100);
SELECT * FROM pg_temp.cmp(200);
DROP INDEX halfvec_eval;
