package dev.deja.server;

import dev.deja.db.CacheStats;
import dev.deja.db.CacheMaintenance;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache's size from {@link CacheMaintenance#stats()}, queried at most once per {@code maxAge} so
 * frequent scrapes cost the store nothing. A failed query keeps the last known value.
 */
final class CacheSize {

  private static final Logger LOG = LoggerFactory.getLogger(CacheSize.class);

  private final CacheMaintenance store;
  private final long maxAgeNanos;
  private CacheStats last = new CacheStats(0, 0, 0, 0);
  private long refreshedAt;
  private boolean known;

  CacheSize(CacheMaintenance store, Duration maxAge) {
    this.store = store;
    this.maxAgeNanos = maxAge.toNanos();
  }

  /** Current stats, at most {@code maxAge} old. */
  synchronized CacheStats get() {
    long now = System.nanoTime();
    if (!known || now - refreshedAt >= maxAgeNanos) {
      try {
        last = store.stats();
        known = true;
      } catch (RuntimeException e) {
        LOG.warn("Deja: cache size query failed, keeping the last value: {}", e.getMessage());
      }
      refreshedAt = now;
    }
    return last;
  }

  /** Forgets the cached value, so the next read queries the store (after a purge). */
  synchronized void refreshSoon() {
    known = false;
  }

  void register(MeterRegistry registry) {
    gauge(registry, "deja.cache.entries", "Cached origin entries", s -> s.entries());
    gauge(registry, "deja.cache.aliases", "Aliases recorded after semantic hits", s -> s.aliases());
    gauge(registry, "deja.cache.blobs", "Distinct stored images", s -> s.blobs());
    gauge(registry, "deja.cache.bytes", "Bytes of stored images", s -> s.blobBytes());
  }

  private void gauge(
      MeterRegistry registry, String name, String description, ToDoubleFunction<CacheStats> f) {
    Gauge.builder(name, this, c -> f.applyAsDouble(c.get()))
        .description(description)
        .register(registry);
  }
}
