package dev.deja.filter.store;

import dev.deja.db.CacheStore;
import dev.deja.db.CacheUnavailableException;
import dev.deja.db.DailyCounts;
import dev.deja.db.HitRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to the store off the request path: a bounded queue of store tasks (a full queue drops the
 * task and counts it, the client never waits) and a buffer of hits flushed in batches.
 *
 * <p>A write that fails because the store is unavailable is tried again with backoff for up to
 * {@link #RETRY_WINDOW}, so a short database outage or failover loses no entries; its body stays
 * reserved in the {@link ByteBudget} meanwhile, which bounds what an outage can pile up. Any other
 * failure, {@link Error}s included, is counted in {@link #failed()} and logged.
 */
public final class StoreWriter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);
  /** How long a write refused by an unavailable store keeps being retried. */
  public static final Duration RETRY_WINDOW = Duration.ofSeconds(60);
  private static final long FIRST_RETRY_MILLIS = 500;
  private static final long MAX_RETRY_MILLIS = 10_000;

  private final CacheStore store;
  private final Clock clock;
  private final ThreadPoolExecutor executor;
  /** Flushes hit and outcome batches every second, and re-queues writes due for a retry. */
  private final ScheduledExecutorService scheduler;
  private final ConcurrentLinkedQueue<HitRecord> pendingHits = new ConcurrentLinkedQueue<>();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger waitingRetry =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean closing;
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
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> BackgroundExecutors.daemon(r, "deja-store-scheduler"));
    scheduler.scheduleWithFixedDelay(this::flushHits, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Queues a write. Returns false, and counts a drop, when the queue is full or closed.
   *
   * @param what short description for logs, e.g. {@code store 3fa2...}
   */
  public boolean submit(String what, Runnable task) {
    return submit(what, task, null);
  }

  /**
   * Queues a write that holds memory until it is done: {@code held} is closed exactly once, when
   * the write succeeded, failed for good, or was dropped.
   */
  public boolean submit(String what, Runnable task, AutoCloseable held) {
    return enqueue(new Write(what, task, held, System.nanoTime(), 0));
  }

  private record Write(String what, Runnable task, AutoCloseable held, long firstNanos, int tries) {
    Write retry() {
      return new Write(what, task, held, firstNanos, tries + 1);
    }
  }

  private boolean enqueue(Write w) {
    try {
      executor.execute(() -> run(w));
      return true;
    } catch (RejectedExecutionException e) {
      dropped.incrementAndGet();
      failures.warn("store-dropped", "Deja: store queue full or closed, dropped " + w.what(), null);
      release(w);
      return false;
    }
  }

  private void run(Write w) {
    try {
      w.task().run();
      completed.incrementAndGet();
      release(w);
    } catch (CacheUnavailableException e) {
      if (!scheduleRetry(w)) {
        failed.incrementAndGet();
        failures.warn("store-failed", "Deja: background write failed, store unavailable ("
            + w.what() + ", " + (w.tries() + 1) + " tries)", e);
        release(w);
      }
    } catch (Throwable e) { // an Error here (OOM) must be counted, not lose the thread silently
      failed.incrementAndGet();
      failures.warn("store-failed", "Deja: background write failed (" + w.what() + ")", e);
      release(w);
    }
  }

  private boolean scheduleRetry(Write w) {
    long elapsed = System.nanoTime() - w.firstNanos();
    long delay = Math.min(MAX_RETRY_MILLIS, FIRST_RETRY_MILLIS << Math.min(w.tries(), 20));
    if (closing || elapsed + TimeUnit.MILLISECONDS.toNanos(delay) > RETRY_WINDOW.toNanos()) {
      return false;
    }
    retried.incrementAndGet();
    waitingRetry.incrementAndGet();
    try {
      scheduler.schedule(
          () -> {
            waitingRetry.decrementAndGet();
            enqueue(w.retry());
          },
          delay,
          TimeUnit.MILLISECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      waitingRetry.decrementAndGet();
      return false;
    }
  }

  private static void release(Write w) {
    if (w.held() != null) {
      try {
        w.held().close();
      } catch (Exception e) {
        LOG.debug("releasing {} failed", w.what(), e);
      }
    }
  }

  /** Counts a hit; written with the next batch. */
  public void recordHit(String key, boolean semantic) {
    HitRecord.Kind kind = semantic ? HitRecord.Kind.SEMANTIC : HitRecord.Kind.EXACT;
    pendingHits.add(new HitRecord(key, kind, clock.instant()));
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
    DailyCounts counts =
        new DailyCounts(
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
      store.recordOutcomes(List.of(counts));
    } catch (RuntimeException e) {
      failures.warn("outcomes-failed", "Deja: could not record daily counters", e);
    }
  }

  /** Writes queued, running, or waiting to be retried. */
  public int queueDepth() {
    return executor.getQueue().size() + executor.getActiveCount() + waitingRetry.get();
  }

  /** Retries of writes the store refused while unavailable. */
  public long retried() {
    return retried.get();
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
    long deadline = System.nanoTime() + timeout.toNanos();
    // Writes waiting for a retry get until the deadline to land; after that they are abandoned.
    // Only the first drain waits for them: close() after a drain must not wait a second time.
    while (!closing && waitingRetry.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    closing = true;
    executor.shutdown();
    boolean done;
    try {
      done =
          executor.awaitTermination(
              Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
              && waitingRetry.get() == 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done = false;
    }
    scheduler.shutdown();
    flushHits();
    return done;
  }

  /**
   * Drains (30 s) unless a drain already ran, then interrupts what is left: a shutdown that already
   * gave the writes their time must not wait a second time for a write stuck on a hung store (the
   * store's own close then aborts its connections).
   */
  @Override
  public void close() {
    if (!closing) {
      drain(Duration.ofSeconds(30));
    }
    executor.shutdownNow();
  }
}
