package dev.deja.filter.store;

import dev.deja.db.CacheMaintenance;
import dev.deja.db.CacheUnavailableException;
import dev.deja.db.Coordination;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the shared store within bounds, from inside the cache (filter and server alike): expired
 * entries, then least-recently-hit entries over the byte budget, then images no entry references,
 * then one page of unreferenced objects. Every instance schedules passes; the one that takes the
 * {@link Coordination#tryLead() maintenance lock} does the pass, the others skip it, so no two
 * instances sweep at once and no leader state can go stale (a dead leader's lock goes with its
 * session). The keys deleted are dropped from every instance's in-memory tier.
 */
public final class CacheMaintainer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CacheMaintainer.class);
  /** Rows per statement; each step loops until a batch comes back short. */
  public static final int BATCH = 1000;
  /** Upper bound of statements per step, so one pass never monopolises the database. */
  private static final int MAX_BATCHES = 100;

  private final CacheMaintenance store;
  private final Coordination coordination;
  private final HotTierCoherence coherence;
  private final Duration keepExpiredFor;
  private final Long maxCacheBytes;
  private final Duration interval;
  private final ScheduledExecutorService scheduler;
  private final AtomicLong led = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  /** What one pass deleted. */
  public record Result(int expired, int evicted, int orphanBlobs, int orphanObjects) {
    public int total() {
      return expired + evicted + orphanBlobs + orphanObjects;
    }
  }

  /**
   * @param keepExpiredFor expired entries younger than this stay (they stand in for a failing
   *     origin: {@code staleIfError})
   * @param maxCacheBytes byte budget of the stored images, or null for none
   */
  public CacheMaintainer(
      CacheMaintenance store,
      Coordination coordination,
      HotTierCoherence coherence,
      Duration keepExpiredFor,
      Long maxCacheBytes,
      Duration interval) {
    this.store = store;
    this.coordination = coordination;
    this.coherence = coherence;
    this.keepExpiredFor = keepExpiredFor;
    this.maxCacheBytes = maxCacheBytes;
    this.interval = interval;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> BackgroundExecutors.daemon(r, "deja-maintenance"));
  }

  /** Schedules a pass every interval, and starts one pass of index upkeep now. */
  public void start() {
    long ms = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::runGuarded, ms, ms, TimeUnit.MILLISECONDS);
    // At start too, not one interval later: the first pass cleans up a build a crash interrupted.
    scheduler.execute(this::maintainIndexes);
  }

  /**
   * Partial HNSW indexes follow the partitions' sizes. Asked of every instance: the store's index
   * upkeep takes its own lock and runs on its own thread, so a build of minutes never holds up a
   * pass.
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
      LOG.warn("Deja: maintenance pass failed, retrying next interval: {}", e.getMessage());
    }
  }

  /**
   * One pass, synchronously, if this instance gets the maintenance lock.
   *
   * @return what it deleted; empty when another instance holds the lock (or the database is out
   *     of reach)
   */
  public synchronized Optional<Result> runOnce() {
    Optional<Coordination.Lease> lease = coordination.tryLead();
    if (lease.isEmpty()) {
      skipped.incrementAndGet();
      return Optional.empty();
    }
    led.incrementAndGet();
    try (Coordination.Lease held = lease.get()) {
      return Optional.of(pass());
    }
  }

  private Result pass() {
    List<String> deleted = new ArrayList<>();
    int expired = 0;
    int evicted = 0;
    try {
      // Expired entries stay for the stale-if-error window: they stand in when the origin fails.
      expired = loop(deleted, n -> store.deleteExpired(keepExpiredFor, BATCH));
      if (maxCacheBytes != null) {
        evicted = loop(deleted, n -> store.evictToByteBudget(maxCacheBytes, BATCH));
      }
    } finally {
      // Whatever committed before a failure is gone from the store: forget it everywhere.
      coherence.evicted(deleted);
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
    // failed: one page of the bucket per pass, older than the grace period only. An object store
    // that is down must not fail the pass: the sweep waits for the next one.
    int objects = 0;
    try {
      objects = store.sweepUnreferencedObjects(BATCH);
    } catch (CacheUnavailableException e) {
      LOG.warn("Deja: object sweep skipped, retrying next pass: {}", e.getMessage());
    }
    Result result = new Result(expired, evicted, orphans, objects);
    if (result.total() > 0) {
      LOG.info(
          "Deja maintenance: {} expired, {} over the byte budget, {} orphan images and {} orphan"
              + " objects deleted",
          expired,
          evicted,
          orphans,
          objects);
    }
    return result;
  }

  /** Runs a deleting step until a batch comes back short; returns how many keys it deleted. */
  private static int loop(List<String> deleted, IntFunction<List<String>> step) {
    int total = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
      List<String> keys = step.apply(i);
      deleted.addAll(keys);
      total += keys.size();
      if (keys.size() < BATCH) {
        break;
      }
    }
    return total;
  }

  /** Passes this instance ran as the leader. */
  public long passesLed() {
    return led.get();
  }

  /** Passes this instance skipped because another instance held the lock (or none could be had). */
  public long passesSkipped() {
    return skipped.get();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
