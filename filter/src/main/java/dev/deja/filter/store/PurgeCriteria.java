package dev.deja.filter.store;

import java.time.Instant;

/**
 * Which entries {@link CacheMaintenance#purge} deletes: those matching every non-null field. At
 * least one field must be set, so a purge never empties the cache by accident.
 *
 * @param model the request's model
 * @param bucket the partition bucket, e.g. {@code 576x1024_seed401853749}
 * @param createdBefore entries created strictly before this instant
 */
public record PurgeCriteria(String model, String bucket, Instant createdBefore) {

  public PurgeCriteria {
    if (model == null && bucket == null && createdBefore == null) {
      throw new IllegalArgumentException(
          "PurgeCriteria needs at least one of model, bucket, createdBefore");
    }
  }
}
