package dev.deja.filter.store;

import dev.deja.db.CacheStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.CacheStats;
import dev.deja.db.CacheUnavailableException;
import dev.deja.db.DailyCounts;
import dev.deja.db.EntryFilter;
import dev.deja.db.EntrySummary;
import dev.deja.db.HitRecord;
import dev.deja.db.Neighbor;
import dev.deja.db.NewAlias;
import dev.deja.db.NewEntry;
import dev.deja.db.PurgeCriteria;
import dev.deja.db.StoreOutcome;
import dev.deja.db.StoredResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class StoreWriterTest {

  /** A store whose writes block until released, and that records hit batches. */
  private static final class SlowStore extends StoreBase {
    final CountDownLatch release = new CountDownLatch(1);
    final List<HitRecord> hits = new ArrayList<>();
    final List<DailyCounts> outcomes = new ArrayList<>();

    @Override
    public synchronized void recordHits(Collection<HitRecord> batch) {
      hits.addAll(batch);
    }

    @Override
    public synchronized void recordOutcomes(Collection<DailyCounts> counts) {
      outcomes.addAll(counts);
    }
  }

  @Test
  void aShutdownThatAlreadyDrainedDoesNotWaitASecondTimeForAStuckWrite() throws Exception {
    SlowStore store = new SlowStore();
    StoreWriter writer = new StoreWriter(store, 1, 2, Clock.systemUTC());
    // A write stuck on a hung store, interruptible here only to end the test cleanly.
    assertTrue(writer.submit("stuck", () -> {
      try {
        store.release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    Thread.sleep(100);
    assertFalse(writer.drain(Duration.ofMillis(200)), "the stuck write did not finish");
    long started = System.nanoTime();
    writer.close();
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(millis < 2_000, "close() after a drain waited " + millis + " ms more");
  }

  @Test
  void aFullQueueDropsTheWriteAndCountsItWithoutBlockingTheCaller() throws Exception {
    SlowStore store = new SlowStore();
    try (StoreWriter writer = new StoreWriter(store, 1, 2, Clock.systemUTC())) {
      Runnable blocked =
          () -> {
            try {
              store.release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          };
      assertTrue(writer.submit("running", blocked));
      Thread.sleep(100); // let the single thread pick it up
      assertTrue(writer.submit("queued 1", blocked));
      assertTrue(writer.submit("queued 2", blocked));
      long started = System.nanoTime();
      assertFalse(writer.submit("one too many", blocked));
      assertTrue(System.nanoTime() - started < Duration.ofMillis(50).toNanos());
      assertEquals(1, writer.dropped());
      store.release.countDown();
      assertTrue(writer.drain(Duration.ofSeconds(5)));
      assertEquals(3, writer.completed());
    }
  }

  @Test
  void hitsAndOutcomesAreWrittenInBatchesAndOnDrain() {
    SlowStore store = new SlowStore();
    StoreWriter writer = new StoreWriter(store, 1, 4, Clock.systemUTC());
    writer.recordHit("a", false);
    writer.recordHit("b", true);
    writer.recordOutcome(StoreWriter.Outcome.EXACT_HIT);
    writer.recordOutcome(StoreWriter.Outcome.MISS);
    writer.drain(Duration.ofSeconds(5));
    assertEquals(2, store.hits.size());
    long requests = store.outcomes.stream().mapToLong(DailyCounts::requests).sum();
    long exact = store.outcomes.stream().mapToLong(DailyCounts::exactHits).sum();
    assertEquals(2, requests);
    assertEquals(1, exact);
  }

  /** A store that is unavailable for its first {@code outages} writes. */
  private static final class FlakyStore extends StoreBase {
    private final java.util.concurrent.atomic.AtomicInteger outages;
    final java.util.concurrent.atomic.AtomicInteger stored = new java.util.concurrent.atomic.AtomicInteger();

    FlakyStore(int outages) {
      this.outages = new java.util.concurrent.atomic.AtomicInteger(outages);
    }

    void write() {
      if (outages.getAndDecrement() > 0) {
        throw new CacheUnavailableException("test", "store", null);
      }
      stored.incrementAndGet();
    }
  }

  /** A store that answers nothing and keeps nothing; tests override what they watch. */
  private abstract static class StoreBase implements CacheStore {
    @Override
    public Optional<StoredResponse> findExactOrStale(String key, java.time.Duration staleFor) {
      return Optional.empty();
    }

    @Override
    public boolean hasCandidates(String b, String m, String e) {
      return false;
    }

    @Override
    public List<Neighbor> findNearest(String b, String m, String e, float[] v, int k) {
      return List.of();
    }

    @Override
    public StoreOutcome store(NewEntry entry, byte[] body, boolean replace) {
      return StoreOutcome.STORED;
    }

    @Override
    public StoreOutcome storeAlias(NewAlias alias) {
      return StoreOutcome.STORED;
    }

    @Override
    public void recordHits(Collection<HitRecord> batch) {}

    @Override
    public void recordOutcomes(Collection<DailyCounts> counts) {}

    @Override
    public boolean delete(String key) {
      return false;
    }

    @Override
    public int purge(PurgeCriteria criteria) {
      return 0;
    }

    @Override
    public List<String> deleteExpired(java.time.Duration keepFor, int batchSize) {
      return List.of();
    }

    @Override
    public List<String> evictToByteBudget(long budgetBytes, int batchSize) {
      return List.of();
    }

    @Override
    public int deleteOrphanBlobs(int batchSize) {
      return 0;
    }

    @Override
    public int sweepUnreferencedObjects(int batchSize) {
      return 0;
    }

    @Override
    public int migrateImages(boolean toObjectStore, int batchSize) {
      return 0;
    }

    @Override
    public dev.deja.db.ImagePlacement imagePlacement() {
      return new dev.deja.db.ImagePlacement(0, 0, 0, 0);
    }

    @Override
    public CacheStats stats() {
      return new CacheStats(0, 0, 0, 0);
    }

    @Override
    public List<EntrySummary> list(EntryFilter filter, int limit, int offset) {
      return List.of();
    }

    @Override
    public void close() {}
  }

  @Test
  void aWriteRefusedDuringAnOutageIsRetried_andItsBytesAreReleasedOnceItLands() throws Exception {
    FlakyStore store = new FlakyStore(2);
    ByteBudget budget = new ByteBudget(1000);
    ByteBudget.Reservation held = budget.open();
    assertTrue(held.grow(600));
    try (StoreWriter writer = new StoreWriter(store, 1, 4, Clock.systemUTC())) {
      assertTrue(writer.submit("store k", store::write, held));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (store.stored.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(1, store.stored.get(), "stored after two refusals");
      assertEquals(2, writer.retried());
      assertEquals(0, writer.failed());
      assertTrue(writer.drain(Duration.ofSeconds(5)));
      assertEquals(0, budget.used(), "the body's bytes are back in the budget");
    }
  }

  @Test
  void anErrorInAWriteIsCountedAsAFailure_andReleasesItsBytes() throws Exception {
    ByteBudget budget = new ByteBudget(1000);
    ByteBudget.Reservation held = budget.open();
    assertTrue(held.grow(500));
    try (StoreWriter writer = new StoreWriter(new FlakyStore(0), 1, 4, Clock.systemUTC())) {
      writer.submit("store oom", () -> {
        throw new OutOfMemoryError("simulated");
      }, held);
      assertTrue(writer.drain(Duration.ofSeconds(5)));
      assertEquals(1, writer.failed());
      assertEquals(0, budget.used());
    }
  }

  @Test
  void aDroppedWriteReleasesItsBytesAtOnce() throws Exception {
    SlowStore store = new SlowStore();
    ByteBudget budget = new ByteBudget(1000);
    try (StoreWriter writer = new StoreWriter(store, 1, 1, Clock.systemUTC())) {
      Runnable blocked =
          () -> {
            try {
              store.release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          };
      writer.submit("running", blocked);
      Thread.sleep(100);
      writer.submit("queued", blocked);
      ByteBudget.Reservation held = budget.open();
      assertTrue(held.grow(700));
      assertFalse(writer.submit("dropped", blocked, held));
      assertEquals(0, budget.used());
      store.release.countDown();
    }
  }
}
