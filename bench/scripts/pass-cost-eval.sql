-- Issue 14: what a partial-index pass's partition count (PartitionIndexes.sizes) costs on 1M rows
-- with ScaleBenchmark's skew (6 large partitions, ~111k small ones), on a narrow copy of the
-- columns it reads. Makes and drops its own schema:  psql -f bench/scripts/pass-cost-eval.sql
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS passcost CASCADE; CREATE SCHEMA passcost; SET search_path = passcost, public;
CREATE TABLE cache_entry (cache_key text PRIMARY KEY, bucket text, model text, embedding_model_id text, source text, embedding vector(3));
-- 1M rows as in ScaleBenchmark's skew: half in 6 large partitions, half in ~111k small ones
INSERT INTO cache_entry SELECT 'l'||g, (ARRAY['256x256_unseeded','1024x1024_unseeded','1344x768_unseeded'])[1 + g % 3], (ARRAY['flux','turbo'])[1 + g % 2], 'bge-small-en-v1.5-q@6c9c6101a956', 'origin', '[1,2,3]' FROM generate_series(1, 500000) g;
INSERT INTO cache_entry SELECT 's'||g, '1024x1024_s' || (g / 9), (ARRAY['flux','turbo'])[1 + g % 2], 'bge-small-en-v1.5-q@6c9c6101a956', 'origin', '[1,2,3]' FROM generate_series(1, 500000) g;
CREATE INDEX cache_entry_partition_idx ON cache_entry (bucket, model, embedding_model_id) WHERE source = 'origin' AND embedding IS NOT NULL;
VACUUM ANALYZE cache_entry;
\timing on
SELECT count(*) AS partitions_over_2500 FROM (SELECT bucket, model, embedding_model_id, count(*) FROM cache_entry WHERE embedding_model_id IS NOT NULL AND source = 'origin' AND embedding IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) >= 2500) s;
SELECT count(*) AS partitions_over_2500 FROM (SELECT bucket, model, embedding_model_id, count(*) FROM cache_entry WHERE embedding_model_id IS NOT NULL AND source = 'origin' AND embedding IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) >= 2500) s;
SELECT count(*) AS partitions_over_2500 FROM (SELECT bucket, model, embedding_model_id, count(*) FROM cache_entry WHERE embedding_model_id IS NOT NULL AND source = 'origin' AND embedding IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) >= 2500) s;
\timing off
EXPLAIN (COSTS OFF) SELECT bucket, model, embedding_model_id, count(*) FROM cache_entry WHERE embedding_model_id IS NOT NULL AND source = 'origin' AND embedding IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) >= 2500;
SELECT count(DISTINCT (bucket, model)) AS partitions FROM cache_entry;
DROP SCHEMA passcost CASCADE;
