-- Operators' verdicts on served semantic hits (the console's "right" / "wrong" buttons). Each row
-- is a labelled pair the precision harness reads back (GET /_deja/feedback.tsv) to recalibrate.
SET LOCAL search_path = "${flyway:defaultSchema}", "${vector_schema}";

CREATE TABLE match_feedback (
  id                 bigserial PRIMARY KEY,
  -- The prompt that was requested (the alias's) and the one whose image answered it.
  prompt_a           text NOT NULL,
  prompt_b           text NOT NULL,
  -- 1 = serving prompt_b's image for prompt_a was right, 0 = wrong.
  label              smallint NOT NULL CHECK (label IN (0, 1)),
  similarity         double precision,
  embedding_model_id text,
  alias_key          text NOT NULL,
  target_key         text NOT NULL,
  bucket             text NOT NULL,
  model              text NOT NULL,
  decided_by         text NOT NULL,
  decided_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX match_feedback_decided_idx ON match_feedback (decided_at);

-- The audit page lists the latest semantic hits: aliases, newest first.
CREATE INDEX cache_entry_alias_recent_idx ON cache_entry (created_at DESC) WHERE source = 'alias';
