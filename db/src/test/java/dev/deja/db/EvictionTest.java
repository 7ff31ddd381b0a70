package dev.deja.db;

import static dev.deja.db.Fixtures.entry;
import static dev.deja.db.Fixtures.image;
import static dev.deja.db.Fixtures.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Eviction works on the whole schema, so each test gets its own. */
class EvictionTest {

  TestDatabase.Schema schema;
  DejaDatabase db;
  CacheStore repo;

  @BeforeEach
  void open() {
    schema = TestDatabase.isolatedSchema(EvictionTest.class);
    db = DejaDatabase.open(schema.config());
    repo = db.repository();
  }

  @AfterEach
  void close() {
    db.close();
    schema.drop();
  }

  @Test
  void evictToByteBudget_keepsMostRecentlyHitEntries() {
    Random r = new Random(3);
    int n = 10;
    for (int i = 0; i < n; i++) {
      repo.store(entry(key("ev-" + i), "p" + i, "ev", null, null), image(r, 1000), false);
    }
    // Hit times make the order 9, 8, ..., 0 most recent first, regardless of insertion order;
    // entry 0 gets the most recent hit of all.
    List<HitRecord> hits = new ArrayList<>();
    Instant base = Instant.now().plusSeconds(60);
    for (int i = 1; i < n; i++) {
      hits.add(new HitRecord(key("ev-" + i), HitRecord.Kind.EXACT, base.plusSeconds(i)));
    }
    hits.add(new HitRecord(key("ev-0"), HitRecord.Kind.SEMANTIC, base.plusSeconds(100)));
    repo.recordHits(hits);

    List<String> deleted = repo.evictToByteBudget(4000, 100);

    assertEquals(java.util.Set.of(key("ev-1"), key("ev-2"), key("ev-3"), key("ev-4"),
        key("ev-5"), key("ev-6")), java.util.Set.copyOf(deleted), "the evicted keys");
    assertEquals(new CacheStats(4, 0, 4, 4000), repo.stats());
    for (int kept : new int[] {0, 9, 8, 7}) {
      assertTrue(repo.findExact(key("ev-" + kept)).isPresent(), "kept ev-" + kept);
    }
    for (int gone = 1; gone <= 6; gone++) {
      assertTrue(repo.findExact(key("ev-" + gone)).isEmpty(), "evicted ev-" + gone);
    }
  }

  @Test
  void evictToByteBudget_respectsBatchSize_andUnderBudgetDoesNothing() {
    Random r = new Random(4);
    for (int i = 0; i < 6; i++) {
      repo.store(entry(key("eb-" + i), "p" + i, "eb", null, null), image(r, 500), false);
    }
    assertEquals(0, repo.evictToByteBudget(10_000, 10).size());
    assertEquals(2, repo.evictToByteBudget(0, 2).size());
    assertEquals(4, repo.stats().entries());
    assertEquals(4, repo.evictToByteBudget(0, 100).size());
    assertEquals(new CacheStats(0, 0, 0, 0), repo.stats());
  }

  @Test
  void evictToByteBudget_sharedBlob_isFreedOnlyWithItsLastEntry() {
    Random r = new Random(5);
    byte[] shared = image(r, 2000);
    repo.store(entry(key("sh-old-1"), "a", "sh", null, null), shared, false);
    repo.store(entry(key("sh-old-2"), "b", "sh", null, null), shared, false);
    repo.store(entry(key("sh-new"), "c", "sh", null, null), image(r, 1000), false);
    repo.recordHits(List.of(new HitRecord(key("sh-new"), HitRecord.Kind.EXACT,
        Instant.now().plusSeconds(60))));
    repo.evictToByteBudget(1000, 100);
    assertEquals(new CacheStats(1, 0, 1, 1000), repo.stats());
    assertTrue(repo.findExact(key("sh-new")).isPresent());
  }

  @Test
  void deleteOrphanBlobs_removesOnlyUnreferencedBlobs() {
    Random r = new Random(6);
    repo.store(entry(key("or-1"), "a", "or", null, null), image(r, 100), false);
    repo.store(entry(key("or-2"), "b", "or", null, null), image(r, 100), false);
    repo.delete(key("or-1"));
    assertEquals(2, repo.stats().blobs());
    assertEquals(1, repo.deleteOrphanBlobs(10));
    assertEquals(0, repo.deleteOrphanBlobs(10));
    assertEquals(new CacheStats(1, 0, 1, 100), repo.stats());
    assertTrue(repo.findExact(key("or-2")).isPresent());
  }
}
