-- Registry of the partial HNSW indexes Deja builds for large partitions (PartitionIndexes):
-- one row per index, so an operator sees with psql which partitions have one and in what state,
-- and a restarted instance knows which builds it must clean up.
SET LOCAL search_path = "${flyway:defaultSchema}", "${vector_schema}";

CREATE TABLE partition_index (
  -- cache_entry_part_ + 16 hex digits of the partition's hash (Partition.indexName).
  index_name         text PRIMARY KEY CHECK (index_name ~ '^cache_entry_part_[0-9a-f]{16}$'),
  bucket             text NOT NULL,
  model              text NOT NULL,
  embedding_model_id text NOT NULL,
  -- building: CREATE INDEX CONCURRENTLY running (or died mid-build: recovered at the next pass);
  -- valid: pg_index.indisvalid, lookups use it; invalid: the build failed, the index is dropped
  -- and the build retried later; dropping: the partition shrank or went cold.
  state              text NOT NULL CHECK (state IN ('building', 'valid', 'invalid', 'dropping')),
  rows_at_build      bigint NOT NULL,
  attempts           integer NOT NULL DEFAULT 1,
  last_error         text,
  build_started_at   timestamptz NOT NULL DEFAULT now(),
  valid_at           timestamptz,
  state_changed_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (bucket, model, embedding_model_id)
);

-- The registry beside what the catalog says: whether PostgreSQL holds the index as valid, and
-- its size. e.g. SELECT * FROM deja.partition_indexes;
CREATE VIEW partition_indexes AS
SELECT r.bucket, r.model, r.embedding_model_id, r.index_name, r.state, r.rows_at_build,
       r.attempts, r.last_error, r.build_started_at, r.valid_at, r.state_changed_at,
       i.indisvalid AS catalog_valid, pg_relation_size(c.oid) AS size_bytes
  FROM partition_index r
  LEFT JOIN pg_class c
    ON c.relname = r.index_name
   AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = 'cache_entry'::regclass)
  LEFT JOIN pg_index i ON i.indexrelid = c.oid;
