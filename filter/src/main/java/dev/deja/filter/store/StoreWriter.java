package dev.deja.filter.store;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to the store off the request path: a bounded queue of store tasks (a full queue drops the
 * task and counts it, the client never waits) and a buffer of hits flushed in batches.
 */
public final class StoreWriter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);

  private final CacheStore store;
  private final Clock clock;
  private final ThreadPoolExecutor executor;
  private final ScheduledExecutorService hitFlusher;
  private final ConcurrentLinkedQueue<HitRecord> pendingHits = new ConcurrentLinkedQueue<>();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  /** Outcome counters since the last flush: requests, exact, semantic, miss, bypass. */
  private final LongAdder[] outcomes = {
    new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()
  };
  private final AtomicLong storesFlushed = new AtomicLong();
  private final AtomicLong dropsFlushed = new AtomicLong();
  private final RateLimitedLog failures = new RateLimitedLog(LOG, Duration.ofMinutes(1));

  public StoreWriter(CacheStore store, int threads, int queueCapacity, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.executor = BackgroundExecutors.bounded("deja-store", threads, queueCapacity);
    this.hitFlusher =
        Executors.newSingleThreadScheduledExecutor(
            r -> BackgroundExecutors.daemon(r, "deja-hit-flusher"));
    hitFlusher.scheduleWithFixedDelay(this::flushHits, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Queues a write. Returns false, and counts a drop, when the queue is full or closed.
   *
   * @param what short description for logs, e.g. {@code store 3fa2...}
   */
  public boolean submit(String what, Runnable task) {
    try {
      executor.execute(
          () -> {
            try {
              task.run();
              completed.incrementAndGet();
            } catch (RuntimeException e) {
              failed.incrementAndGet();
              failures.warn("store-failed", "Deja: background write failed (" + what + ")", e);
            }
          });
      return true;
    } catch (RejectedExecutionException e) {
      dropped.incrementAndGet();
      failures.warn("store-dropped", "Deja: store queue full or closed, dropped " + what, null);
      return false;
    }
  }

  /** Counts a hit; written with the next batch. */
  public void recordHit(String key, boolean semantic) {
    pendingHits.add(new HitRecord(key, semantic, clock.instant()));
  }

  /** Request outcomes counted for the daily statistics. */
  public enum Outcome {
    EXACT_HIT(1),
    SEMANTIC_HIT(2),
    MISS(3),
    BYPASS(4);

    private final int slot;

    Outcome(int slot) {
      this.slot = slot;
    }
  }

  /** Counts one cacheable request's outcome; written with the next batch. */
  public void recordOutcome(Outcome outcome) {
    outcomes[0].increment();
    outcomes[outcome.slot].increment();
  }

  void flushHits() {
    flushOutcomes();
    List<HitRecord> batch = new ArrayList<>();
    for (HitRecord hit; (hit = pendingHits.poll()) != null; ) {
      batch.add(hit);
    }
    if (batch.isEmpty()) {
      return;
    }
    try {
      store.recordHits(batch);
    } catch (RuntimeException e) {
      // Hit counts are statistics: losing a batch when the database is down is acceptable.
      failures.warn("hits-failed", "Deja: could not record " + batch.size() + " hits", e);
    }
  }

  private void flushOutcomes() {
    long stores = completed.get();
    long drops = dropped.get();
    OutcomeCounts counts =
        new OutcomeCounts(
            LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC),
            outcomes[0].sumThenReset(),
            outcomes[1].sumThenReset(),
            outcomes[2].sumThenReset(),
            outcomes[3].sumThenReset(),
            outcomes[4].sumThenReset(),
            stores - storesFlushed.getAndSet(stores),
            drops - dropsFlushed.getAndSet(drops));
    if (counts.isEmpty()) {
      return;
    }
    try {
      store.recordOutcomes(counts);
    } catch (RuntimeException e) {
      failures.warn("outcomes-failed", "Deja: could not record daily counters", e);
    }
  }

  public int queueDepth() {
    return executor.getQueue().size() + executor.getActiveCount();
  }

  public long dropped() {
    return dropped.get();
  }

  public long failed() {
    return failed.get();
  }

  public long completed() {
    return completed.get();
  }

  /** Stops accepting work and waits up to {@code timeout} for queued writes and hits to finish. */
  public boolean drain(Duration timeout) {
    executor.shutdown();
    boolean done;
    try {
      done = executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done = false;
    }
    hitFlusher.shutdown();
    flushHits();
    return done;
  }

  @Override
  public void close() {
    drain(Duration.ofSeconds(30));
    executor.shutdownNow();
  }
}
