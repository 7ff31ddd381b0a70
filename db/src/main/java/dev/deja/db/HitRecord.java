package dev.deja.db;

import java.time.Instant;
import java.util.Objects;

/**
 * One cache hit to account for.
 *
 * @param cacheKey the entry that was served
 * @param kind exact or semantic
 * @param at when it was served
 */
public record HitRecord(String cacheKey, Kind kind, Instant at) {

  /** How the entry was found. */
  public enum Kind {
    EXACT,
    SEMANTIC
  }

  public HitRecord {
    Objects.requireNonNull(cacheKey, "cacheKey");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(at, "at");
  }
}
