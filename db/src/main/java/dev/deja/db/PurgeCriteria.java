package dev.deja.db;

import java.time.Instant;

/**
 * Which entries {@link CacheStore#purge} deletes; {@code null} fields do not restrict. At
 * least one field must be set, so a purge never empties the cache by accident.
 */
public record PurgeCriteria(String model, String bucket, Instant createdBefore) {

  public PurgeCriteria {
    if (model == null && bucket == null && createdBefore == null) {
      throw new IllegalArgumentException(
          "PurgeCriteria needs at least one of model, bucket, createdBefore");
    }
  }
}
