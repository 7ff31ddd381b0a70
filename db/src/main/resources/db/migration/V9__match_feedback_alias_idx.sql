-- Every alias write asks whether an operator marked that hit wrong (Writes.MARKED_WRONG), so a
-- hit that raced the verdict cannot bring the alias back: looked up by alias key.
SET LOCAL search_path = "${flyway:defaultSchema}", "${vector_schema}";

CREATE INDEX match_feedback_alias_idx ON match_feedback (alias_key);
