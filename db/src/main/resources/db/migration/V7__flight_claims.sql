-- Cross-instance single flight (issue #15): one row per cache key some instance is fetching from
-- the origin right now. Unlogged on purpose: a claim lives for seconds, needs no WAL, and is not
-- replicated, so a crash or a failover simply forgets every claim (each waiter then asks the
-- origin itself, which is what an expired claim means anyway).
SET LOCAL search_path = "${flyway:defaultSchema}";

CREATE UNLOGGED TABLE flight_claim (
    cache_key  text        PRIMARY KEY,
    owner      text        NOT NULL,
    expires_at timestamptz NOT NULL,
    -- Set by the leader once its image is committed in cache_entry: waiters read the entry.
    stored     boolean     NOT NULL DEFAULT false
);
