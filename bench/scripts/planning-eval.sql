-- Issue 14: planning time of a lookup against the number of partial HNSW indexes on
-- cache_entry (the planner tests each index's predicate). Makes its own schema and table.
--   psql -q -f bench/scripts/planning-eval.sql 2>/dev/null | grep -E '^ +[0-9]+ \|'
-- docs/DATABASE.md ("Planning cost grows with the number of partial indexes") has its output.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS plantest CASCADE; CREATE SCHEMA plantest; SET search_path = plantest, public;
CREATE TABLE cache_entry (cache_key text PRIMARY KEY, prompt text, bucket text, model text, embedding_model_id text, source text, expires_at timestamptz, embedding vector(384));
CREATE INDEX ON cache_entry (bucket, model, embedding_model_id) WHERE source = 'origin' AND embedding IS NOT NULL;
INSERT INTO cache_entry SELECT 'k'||g, 'p', 'b'||(g%600), 'm', 'e', 'origin', NULL, (SELECT array_agg(random())::vector(384) FROM generate_series(1,384) WHERE g>0) FROM generate_series(1,6000) g;
ANALYZE cache_entry;
CREATE OR REPLACE FUNCTION mk(n int) RETURNS void LANGUAGE plpgsql AS $$ BEGIN
  FOR i IN 0..n-1 LOOP EXECUTE format('CREATE INDEX IF NOT EXISTS p_%s ON cache_entry USING hnsw (embedding vector_cosine_ops) WITH (m=16, ef_construction=64) WHERE bucket = %L AND model = ''m'' AND embedding_model_id = ''e'' AND source = ''origin'' AND embedding IS NOT NULL', i, 'b'||i); END LOOP; END $$;
CREATE OR REPLACE FUNCTION plan_ms(reps int) RETURNS float8 LANGUAGE plpgsql AS $$ DECLARE q text; t0 timestamptz; best float8 := 1e9; x float8; j json; BEGIN
  SELECT embedding::text INTO q FROM cache_entry LIMIT 1;
  FOR r IN 1..reps LOOP
    EXECUTE format('EXPLAIN (FORMAT JSON, SUMMARY) SELECT cache_key FROM cache_entry WHERE bucket = %L AND model = ''m'' AND embedding_model_id = ''e'' AND source = ''origin'' AND embedding IS NOT NULL AND (expires_at IS NULL OR expires_at > now()) ORDER BY embedding <=> %L LIMIT 3', 'b3', q) INTO j;
    x := (j->0->>'Planning Time')::float8; best := least(best, x);
  END LOOP; RETURN best; END $$;
SELECT mk(6); SELECT 6 AS indexes, plan_ms(50);
SELECT mk(50); SELECT 50 AS indexes, plan_ms(50);
SELECT mk(200); SELECT 200 AS indexes, plan_ms(50);
SELECT mk(600); SELECT 600 AS indexes, plan_ms(50);
EXPLAIN SELECT cache_key FROM cache_entry WHERE bucket = 'b3' AND model = 'm' AND embedding_model_id = 'e' AND source = 'origin' AND embedding IS NOT NULL ORDER BY embedding <=> (SELECT embedding FROM cache_entry LIMIT 1) LIMIT 3;
DROP SCHEMA plantest CASCADE;
