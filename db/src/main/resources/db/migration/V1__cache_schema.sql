-- Deja cache schema. Placeholders: ${flyway:defaultSchema} (the configured schema),
-- ${vector_schema} (where the pgvector extension lives, usually public),
-- ${embedding_dimension} (the embedding model's output dimension, fixed per schema).
SET LOCAL search_path = "${flyway:defaultSchema}", "${vector_schema}";

-- Images, content-addressed: identical bytes are stored once however many entries share them.
CREATE TABLE image_blob (
  sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes        bytea,
  -- Set when the bytes live in an external object store instead (future); then bytes is null.
  storage_uri  text,
  byte_size    bigint NOT NULL CHECK (byte_size >= 0),
  content_type text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (bytes IS NOT NULL OR storage_uri IS NOT NULL)
);
-- PNG/JPEG/WebP are already compressed: skip pglz's futile attempt, keep out-of-line storage.
ALTER TABLE image_blob ALTER COLUMN bytes SET STORAGE EXTERNAL;

CREATE TABLE cache_entry (
  cache_key         text PRIMARY KEY CHECK (cache_key ~ '^[0-9a-f]{64}$'),
  prompt            text NOT NULL,
  normalized_prompt text NOT NULL,
  model             text NOT NULL,
  width             integer,
  height            integer,
  -- NULL = unseeded; 0 is a real seed.
  seed              bigint,
  quality           text,
  negative_prompt   text,
  image_inputs_hash text,
  -- Every other output-affecting request parameter.
  params            jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Readable partition, e.g. 576x1024_seed401853749; semantic matches never cross it.
  bucket            text NOT NULL,
  embedding         vector(${embedding_dimension}),
  embedding_model_id text,
  status            integer NOT NULL,
  content_type      text NOT NULL,
  headers           jsonb NOT NULL DEFAULT '{}'::jsonb,
  blob_sha256       text NOT NULL REFERENCES image_blob (sha256),
  created_at        timestamptz NOT NULL DEFAULT now(),
  expires_at        timestamptz,
  last_hit_at       timestamptz,
  exact_hits        bigint NOT NULL DEFAULT 0,
  semantic_hits     bigint NOT NULL DEFAULT 0,
  source            text NOT NULL DEFAULT 'origin' CHECK (source IN ('origin', 'alias')),
  alias_of          text,
  alias_similarity  double precision,
  CHECK ((source = 'alias') = (alias_of IS NOT NULL)),
  CHECK (embedding IS NULL OR embedding_model_id IS NOT NULL)
);

-- The exact-scan path of findNearest reads a whole partition through this index; aliases are
-- never neighbour candidates, so they stay out of it.
CREATE INDEX cache_entry_partition_idx
  ON cache_entry (bucket, model, embedding_model_id)
  WHERE source = 'origin' AND embedding IS NOT NULL;
-- Eviction order: least recently hit first.
CREATE INDEX cache_entry_recency_idx ON cache_entry ((coalesce(last_hit_at, created_at)));
CREATE INDEX cache_entry_expires_idx ON cache_entry (expires_at) WHERE expires_at IS NOT NULL;
-- Orphan-blob detection and blob sharing.
CREATE INDEX cache_entry_blob_idx ON cache_entry (blob_sha256);
CREATE INDEX cache_entry_model_idx ON cache_entry (model, created_at);

-- Per-day request outcomes (UTC days), added to in batches by the servers.
CREATE TABLE daily_counter (
  day           date PRIMARY KEY,
  requests      bigint NOT NULL DEFAULT 0,
  exact_hits    bigint NOT NULL DEFAULT 0,
  semantic_hits bigint NOT NULL DEFAULT 0,
  misses        bigint NOT NULL DEFAULT 0,
  bypasses      bigint NOT NULL DEFAULT 0,
  stores        bigint NOT NULL DEFAULT 0,
  store_drops   bigint NOT NULL DEFAULT 0
);
