SET LOCAL search_path = "${flyway:defaultSchema}", "${vector_schema}";
-- pgvector 0.8.0/0.8.1 parallel HNSW builds can overflow a buffer (fixed in 0.8.2): build serially.
SET LOCAL max_parallel_maintenance_workers = 0;

-- One HNSW index over all origin entries; findNearest uses it only for partitions larger than
-- its measured threshold (see docs/DATABASE.md), always with an iterative scan.
-- m / ef_construction: see docs/DATABASE.md for the measurement behind them.
CREATE INDEX cache_entry_embedding_hnsw
  ON cache_entry USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)
  WHERE source = 'origin' AND embedding IS NOT NULL;
