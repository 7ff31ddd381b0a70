package dev.deja.server;

import dev.deja.db.CacheUnavailableException;
import dev.deja.filter.DejaCache;
import dev.deja.db.CacheMaintenance;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cache within bounds in the background: expired entries, then least-recently-hit
 * entries over the byte budget, then images no entry references. After any deletion the in-memory
 * tier is cleared, so a deleted entry is never served from memory.
 */
final class Evictor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Evictor.class);
  /** Rows per statement; each pass loops until a batch comes back short. */
  static final int BATCH = 1000;
  /** Upper bound of statements per pass, so one pass never monopolises the database. */
  private static final int MAX_BATCHES = 100;

  private final CacheMaintenance store;
  private final DejaCache cache;
  private final Long maxCacheBytes;
  private final ScheduledExecutorService scheduler;

  /** What one pass deleted. */
  record Result(int expired, int evicted, int orphanBlobs, int orphanObjects) {
    int total() {
      return expired + evicted + orphanBlobs + orphanObjects;
    }
  }

  Evictor(CacheMaintenance store, DejaCache cache, Long maxCacheBytes, Duration interval) {
    this.store = store;
    this.cache = cache;
    this.maxCacheBytes = maxCacheBytes;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "deja-eviction");
              t.setDaemon(true);
              return t;
            });
    long ms = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::runGuarded, ms, ms, TimeUnit.MILLISECONDS);
    // At start too, not one interval later: the first pass cleans up a build a crash interrupted.
    maintainIndexes();
  }

  /**
   * Partial HNSW indexes follow the partitions' sizes; the pass runs on the store's own thread, so
   * a build of minutes never holds up eviction.
   */
  private void maintainIndexes() {
    try {
      store.maintainIndexes();
    } catch (CacheUnavailableException e) {
      LOG.warn("Deja: index upkeep skipped, retrying next pass: {}", e.getMessage());
    }
  }

  private void runGuarded() {
    // First and on its own: a failing eviction step must not cost the index upkeep its pass.
    maintainIndexes();
    try {
      runOnce();
    } catch (RuntimeException e) {
      LOG.warn("Deja: eviction pass failed, retrying next interval: {}", e.getMessage());
    }
  }

  /** One eviction pass, synchronously. */
  synchronized Result runOnce() {
    int expired = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
      // Expired entries stay for the stale-if-error window: they stand in when the origin fails.
      int n = store.deleteExpired(cache.config().staleIfError(), BATCH);
      expired += n;
      if (n < BATCH) {
        break;
      }
    }
    int evicted = 0;
    if (maxCacheBytes != null) {
      for (int i = 0; i < MAX_BATCHES; i++) {
        int n = store.evictToByteBudget(maxCacheBytes, BATCH);
        evicted += n;
        if (n < BATCH) {
          break;
        }
      }
    }
    int orphans = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
      int n = store.deleteOrphanBlobs(BATCH);
      orphans += n;
      if (n < BATCH) {
        break;
      }
    }
    // Objects left behind by a store that died before its row committed, or whose deletion
    // failed: one page of the bucket per pass, older than the grace period only.
    // The rows above are already gone: an object store that is down must not hide that (the
    // in-memory tier is still cleared below); the sweep simply waits for the next pass.
    int objects = 0;
    try {
      objects = store.sweepUnreferencedObjects(BATCH);
    } catch (CacheUnavailableException e) {
      LOG.warn("Deja: object sweep skipped, retrying next pass: {}", e.getMessage());
    }
    Result result = new Result(expired, evicted, orphans, objects);
    if (result.total() > 0) {
      cache.invalidateAll();
      LOG.info(
          "Deja eviction: {} expired, {} over the byte budget, {} orphan images and {} orphan"
              + " objects deleted",
          expired,
          evicted,
          orphans,
          objects);
    }
    return result;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
