package dev.deja.filter.store;

import java.time.LocalDate;

/**
 * Request outcomes of one day, added to the store's daily counters (the {@code hit_rate_daily}
 * view).
 */
public record OutcomeCounts(
    LocalDate day,
    long requests,
    long exactHits,
    long semanticHits,
    long misses,
    long bypasses,
    long stores,
    long storeDrops) {

  public boolean isEmpty() {
    return requests == 0 && stores == 0 && storeDrops == 0;
  }
}
