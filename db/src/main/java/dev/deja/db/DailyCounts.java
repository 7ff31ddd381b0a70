package dev.deja.db;

import java.time.LocalDate;
import java.util.Objects;

/**
 * Request outcomes to add to one day's counters (UTC day). Callers aggregate in memory and flush
 * now and then; {@link CacheStore#recordOutcomes} adds, it never overwrites.
 */
public record DailyCounts(
    LocalDate day,
    long requests,
    long exactHits,
    long semanticHits,
    long misses,
    long bypasses,
    long stores,
    long storeDrops) {

  public DailyCounts {
    Objects.requireNonNull(day, "day");
    if (requests < 0 || exactHits < 0 || semanticHits < 0 || misses < 0 || bypasses < 0
        || stores < 0 || storeDrops < 0) {
      throw new IllegalArgumentException("counts must be >= 0: " + Objects.toString(day));
    }
  }

  /**
   * Whether there is nothing to add (no request, no store, no drop): a writer skips the round
   * trip rather than add zeros.
   */
  public boolean isEmpty() {
    return requests == 0 && stores == 0 && storeDrops == 0;
  }
}
