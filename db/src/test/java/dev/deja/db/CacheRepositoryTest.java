package dev.deja.db;

import static dev.deja.db.Fixtures.entry;
import static dev.deja.db.Fixtures.image;
import static dev.deja.db.Fixtures.key;
import static dev.deja.db.testing.TestVectors.unitVector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestVectors;
import dev.deja.db.testing.OpenDatabase;
import dev.deja.db.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CacheRepositoryTest {

  @RegisterExtension
  static final OpenDatabase DB = new OpenDatabase(CacheRepositoryTest.class);
  private final CacheStore repo = DB.repository();
  final Random random = new Random(42);

  @Test
  void store_thenFindExact_roundTripsOneMegabyteImageByteForByte() {
    byte[] png = image(random, 1024 * 1024);
    String k = key("roundtrip");
    NewEntry e = new NewEntry(k, new StoredRequest("A Red Fox", "a red fox", "flux", 1024, 576,
        0L, "hd", "blurry", "abc", Map.of("steps", "4", "guidance", "3.5"), "576x1024_seed0"),
        unitVector(random, 384), Fixtures.EMBEDDER, 200, "image/webp",
        Map.of("X-Request-Id", List.of("r1"), "Vary", List.of("a", "b")), null);
    assertEquals(StoreOutcome.STORED, repo.store(e, png, false));

    StoredResponse r = repo.findExact(k).orElseThrow();
    assertArrayEquals(png, r.body());
    assertEquals("image/webp", r.contentType());
    assertEquals(Map.of("X-Request-Id", List.of("r1"), "Vary", List.of("a", "b")), r.headers());
    assertEquals(200, r.status());
    assertEquals(EntrySource.ORIGIN, r.source());
    assertEquals("A Red Fox", r.prompt());
    assertEquals("576x1024_seed0", r.bucket());
    assertNull(r.expiresAt());
    assertNull(r.aliasOf());
    assertNull(r.similarity());
    assertTrue(r.createdAt().isAfter(Instant.now().minusSeconds(60)));
  }

  @Test
  void findExact_unknownKey_isEmpty() {
    assertTrue(repo.findExact(key("never stored")).isEmpty());
  }

  @Test
  void store_sameKeyFromTwentyThreads_leavesExactlyOneEntry_andNoExceptionEscapes()
      throws Exception {
    String k = key("contended");
    int threads = 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CyclicBarrier barrier = new CyclicBarrier(threads);
    List<Future<StoreOutcome>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      byte[] img = image(new Random(i), 10_000);
      float[] v = unitVector(new Random(i), 384);
      results.add(pool.submit(() -> {
        barrier.await();
        return repo.store(entry(k, "contended prompt", "512x512", v, null), img, false);
      }));
    }
    int stored = 0;
    for (Future<StoreOutcome> f : results) {
      StoreOutcome o = f.get(30, TimeUnit.SECONDS);
      if (o == StoreOutcome.STORED) {
        stored++;
      } else {
        assertEquals(StoreOutcome.ALREADY_PRESENT, o);
      }
    }
    pool.shutdown();
    assertEquals(1, stored);
    assertEquals(1, countSql("SELECT count(*) FROM cache_entry WHERE cache_key = '" + k + "'"));
    // Losers rolled back: their blobs were never committed.
    String sha = oneString("SELECT blob_sha256 FROM cache_entry WHERE cache_key = '" + k + "'");
    assertEquals(0, countSql("SELECT count(*) FROM image_blob b WHERE b.content_type = 'image/png'"
        + " AND b.byte_size = 10000 AND b.sha256 <> '" + sha + "' AND NOT EXISTS (SELECT 1 FROM"
        + " cache_entry e WHERE e.blob_sha256 = b.sha256)"));
  }

  @Test
  void store_withReplace_replacesExistingEntry_withoutReplace_keepsIt() {
    String k = key("replace");
    byte[] first = image(random, 100);
    byte[] second = image(random, 200);
    assertEquals(StoreOutcome.STORED, repo.store(entry(k, "p1", "r", null, null), first, false));
    assertEquals(StoreOutcome.ALREADY_PRESENT,
        repo.store(entry(k, "p2", "r", null, null), second, false));
    assertArrayEquals(first, repo.findExact(k).orElseThrow().body());
    assertEquals(StoreOutcome.REPLACED, repo.store(entry(k, "p3", "r", null, null), second, true));
    StoredResponse r = repo.findExact(k).orElseThrow();
    assertArrayEquals(second, r.body());
    assertEquals("p3", r.prompt());
  }

  @Test
  void store_identicalImagesUnderTwoKeys_sharesOneBlob() {
    byte[] img = image(random, 5000);
    repo.store(entry(key("dedup-1"), "x", "d", null, null), img, false);
    repo.store(entry(key("dedup-2"), "y", "d", null, null), img, false);
    assertEquals(1, countSql("SELECT count(DISTINCT blob_sha256) FROM cache_entry WHERE"
        + " cache_key IN ('" + key("dedup-1") + "', '" + key("dedup-2") + "')"));
  }

  @Test
  void findExact_expiredEntry_isNeverReturned_andExpiredKeyCanBeStoredAgain() {
    String k = key("expired");
    Instant past = Instant.now().minusSeconds(5);
    repo.store(entry(k, "old", "e", unitVector(random, 384), past), image(random, 10), false);
    assertTrue(repo.findExact(k).isEmpty());
    assertEquals(StoreOutcome.REPLACED,
        repo.store(entry(k, "new", "e", null, null), image(random, 10), false));
    assertEquals("new", repo.findExact(k).orElseThrow().prompt());
  }

  @Test
  void storeAlias_thenFindExact_followsAliasToTargetImage() {
    byte[] img = image(random, 3000);
    String target = key("alias-target");
    repo.store(entry(target, "a cat on a sofa", "al", unitVector(random, 384), null), img, false);
    String alias = key("alias-1");
    NewAlias a = new NewAlias(alias, target, 0.97, new StoredRequest("a cat on the sofa",
        "a cat on the sofa", Fixtures.MODEL, 1024, 576, null, "standard", null, null, Map.of(),
        "al"), Fixtures.EMBEDDER, null);
    assertEquals(StoreOutcome.STORED, repo.storeAlias(a));
    assertEquals(StoreOutcome.ALREADY_PRESENT, repo.storeAlias(a));

    StoredResponse r = repo.findExact(alias).orElseThrow();
    assertArrayEquals(img, r.body());
    assertEquals(EntrySource.ALIAS, r.source());
    assertEquals(target, r.aliasOf());
    assertEquals(0.97, r.similarity(), 1e-9);
    assertEquals("a cat on the sofa", r.prompt());
    assertEquals(Map.of("X-Origin", List.of("test")), r.headers());

    NewAlias dangling = new NewAlias(key("alias-2"), key("no such target"), 0.9,
        new StoredRequest("p", "p", Fixtures.MODEL, null, null, null, null, null, null, Map.of(),
            "al"), null, null);
    assertEquals(StoreOutcome.TARGET_MISSING, repo.storeAlias(dangling));
  }

  @Test
  void storeAlias_concurrentCalls_leaveOneEntry() throws Exception {
    String target = key("alias-conc-target");
    repo.store(entry(target, "t", "ac", null, null), image(random, 50), false);
    NewAlias a = new NewAlias(key("alias-conc"), target, 0.95, new StoredRequest("t2", "t2",
        Fixtures.MODEL, null, null, null, null, null, null, Map.of(), "ac"), null, null);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CyclicBarrier barrier = new CyclicBarrier(8);
    ConcurrentLinkedQueue<StoreOutcome> outcomes = new ConcurrentLinkedQueue<>();
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      fs.add(pool.submit(() -> {
        barrier.await();
        outcomes.add(repo.storeAlias(a));
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertEquals(1, outcomes.stream().filter(o -> o == StoreOutcome.STORED).count());
  }

  @Test
  void recordHits_addsCountersAndMovesLastHitForward() {
    String k = key("hits");
    repo.store(entry(k, "h", "h", null, null), image(random, 10), false);
    Instant t1 = Instant.parse("2030-01-01T00:00:00Z");
    Instant t2 = Instant.parse("2030-01-02T00:00:00Z");
    repo.recordHits(List.of(new HitRecord(k, HitRecord.Kind.EXACT, t2),
        new HitRecord(k, HitRecord.Kind.EXACT, t1),
        new HitRecord(k, HitRecord.Kind.SEMANTIC, t1),
        new HitRecord(key("unknown"), HitRecord.Kind.EXACT, t1)));
    assertEquals(2, countSql("SELECT exact_hits FROM cache_entry WHERE cache_key = '" + k + "'"));
    assertEquals(1,
        countSql("SELECT semantic_hits FROM cache_entry WHERE cache_key = '" + k + "'"));
    assertEquals(t2.getEpochSecond(), countSql("SELECT extract(epoch FROM last_hit_at)::bigint"
        + " FROM cache_entry WHERE cache_key = '" + k + "'"));
  }

  @Test
  void recordOutcomes_addsToDailyCounters_andHitRateViewReadsThem() throws Exception {
    LocalDate day = LocalDate.of(2031, 5, 6);
    repo.recordOutcomes(List.of(new DailyCounts(day, 10, 3, 2, 5, 0, 5, 1),
        new DailyCounts(day, 10, 1, 1, 8, 1, 7, 0)));
    repo.recordOutcomes(List.of(new DailyCounts(day, 20, 2, 2, 16, 0, 15, 0)));
    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT requests, exact_hits, semantic_hits, hit_rate FROM "
            + DB.schema().name() + ".hit_rate_daily WHERE day = '2031-05-06'")) {
      assertTrue(rs.next());
      assertEquals(40, rs.getLong(1));
      assertEquals(6, rs.getLong(2));
      assertEquals(5, rs.getLong(3));
      assertEquals(0.275, rs.getDouble(4), 1e-9);
    }
  }

  @Test
  void delete_removesEntry_andOrphanBlobSweepRemovesItsImage() {
    String k = key("delete-me");
    byte[] img = image(random, 777);
    repo.store(entry(k, "d", "del", null, null), img, false);
    String sha = oneString("SELECT blob_sha256 FROM cache_entry WHERE cache_key = '" + k + "'");
    assertTrue(repo.delete(k));
    assertFalse(repo.delete(k));
    assertTrue(repo.findExact(k).isEmpty());
    assertEquals(1, countSql("SELECT count(*) FROM image_blob WHERE sha256 = '" + sha + "'"));
    while (repo.deleteOrphanBlobs(100) > 0) {
      // sweep until done
    }
    assertEquals(0, countSql("SELECT count(*) FROM image_blob WHERE sha256 = '" + sha + "'"));
  }

  @Test
  void purge_byModelAndBucket_deletesOnlyMatchingEntries() {
    repo.store(entry(key("purge-1"), "a", "model-a", "pb", null, null), image(random, 10), false);
    repo.store(entry(key("purge-2"), "b", "model-a", "other", null, null), image(random, 10),
        false);
    repo.store(entry(key("purge-3"), "c", "model-b", "pb", null, null), image(random, 10), false);
    assertEquals(1, repo.purge(new PurgeCriteria("model-a", "pb", null)));
    assertTrue(repo.findExact(key("purge-1")).isEmpty());
    assertTrue(repo.findExact(key("purge-2")).isPresent());
    assertTrue(repo.findExact(key("purge-3")).isPresent());
    assertEquals(0, repo.purge(new PurgeCriteria(null, null, Instant.parse("2000-01-01T00:00:00Z"))));
  }

  @Test
  void deleteExpired_removesOnlyExpiredEntries_inBatches() {
    Instant past = Instant.now().minus(Duration.ofMinutes(1));
    for (int i = 0; i < 5; i++) {
      repo.store(entry(key("exp-" + i), "e", "exp", null, past), image(random, 10), false);
    }
    repo.store(entry(key("exp-live"), "e", "exp", null, Instant.now().plusSeconds(3600)),
        image(random, 10), false);
    int total = 0;
    int n;
    while ((n = repo.deleteExpired(2).size()) > 0) {
      assertTrue(n <= 2);
      total += n;
    }
    assertTrue(total >= 5);
    assertTrue(repo.findExact(key("exp-live")).isPresent());
  }

  @Test
  void anExpiredEntry_isFoundOnlyAsStale_withinTheWindow_andKeptByEvictionThatLong() {
    Instant past = Instant.now().minus(Duration.ofMinutes(10));
    repo.store(entry(key("stale-1"), "s", "stale", null, past), image(random, 10), false);

    assertTrue(repo.findExact(key("stale-1")).isEmpty(), "expired: never a plain hit");
    assertTrue(repo.findExactOrStale(key("stale-1"), Duration.ofMinutes(5)).isEmpty(),
        "expired 10 min ago: outside a 5 min window");
    StoredResponse stale = repo.findExactOrStale(key("stale-1"), Duration.ofHours(1)).orElseThrow();
    assertTrue(stale.expiresAt().isBefore(Instant.now()));

    while (!repo.deleteExpired(Duration.ofHours(1), 100).isEmpty()) {
      // other tests' expired entries may go too; this one must stay
    }
    assertTrue(repo.findExactOrStale(key("stale-1"), Duration.ofHours(1)).isPresent(),
        "kept for the stale window");
    while (!repo.deleteExpired(Duration.ofMinutes(5), 100).isEmpty()) {
      // now it is older than the window
    }
    assertTrue(repo.findExactOrStale(key("stale-1"), Duration.ofHours(1)).isEmpty());
  }

  /**
   * Exact deltas over what this test stores itself, so it holds alone, in any order and after
   * the other tests of the class have filled the schema: two origin entries sharing one image
   * count as two entries and one blob; an alias counts as an alias and adds no blob.
   */
  @Test
  void stats_countsOriginEntriesAliasesAndDistinctBlobs_exactlyWhatWasStored() {
    Random own = new Random("stats".hashCode());
    byte[] shared = image(own, 4_321);
    byte[] single = image(own, 1_234);
    CacheStats before = repo.stats();

    repo.store(entry(key("stats-a"), "stats a", "stats", null, null), shared, false);
    repo.store(entry(key("stats-b"), "stats b", "stats", null, null), shared, false);
    repo.store(entry(key("stats-c"), "stats c", "stats", null, null), single, false);
    assertEquals(StoreOutcome.STORED, repo.storeAlias(new NewAlias(key("stats-alias"),
        key("stats-c"), 0.96, new StoredRequest("stats c!", "stats c!", Fixtures.MODEL, null,
            null, null, null, null, null, Map.of(), "stats"), null, null)));
    CacheStats after = repo.stats();

    assertEquals(new CacheStats(before.entries() + 3, before.aliases() + 1, before.blobs() + 2,
        before.blobBytes() + 4_321 + 1_234), after);
  }

  @Test
  void neighborsFunction_listsOriginEntriesOfTheSamePartition_mostSimilarFirst_notItself()
      throws Exception {
    Random r = new Random(7);
    float[] base = unitVector(r, 384);
    String q = key("nb-q");
    repo.store(entry(q, "query", "nb", base, null), image(r, 10), false);
    repo.store(entry(key("nb-near"), "near", "nb", TestVectors.perturb(r, base, 0.1), null),
        image(r, 10), false);
    repo.store(entry(key("nb-far"), "far", "nb", unitVector(r, 384), null), image(r, 10), false);
    repo.store(entry(key("nb-other"), "other bucket", "nb2", base, null), image(r, 10), false);
    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT neighbor_key, prompt, similarity FROM "
          + DB.schema().name() + ".neighbors('" + q + "', 5)")) {
        assertTrue(rs.next());
        assertEquals(key("nb-near"), rs.getString(1));
        assertEquals("near", rs.getString(2));
        assertTrue(rs.getDouble(3) > 0.9);
        assertTrue(rs.next());
        assertEquals("far", rs.getString(2));
        assertFalse(rs.next(), "nothing from another bucket, not itself");
      }
    }
  }

  /** The view a human reads first: one row per entry with its image size, hits and source. */
  @Test
  void entriesView_showsEachEntryWithItsImageSizeHitsAndSource_aliasesWithTheirTarget()
      throws Exception {
    Random r = new Random("entries-view".hashCode());
    String origin = key("view-origin");
    String alias = key("view-alias");
    Instant expires = Instant.parse("2040-01-01T00:00:00Z");
    repo.store(entry(origin, "A Red Fox", "views", null, expires), image(r, 2_048), false);
    repo.storeAlias(new NewAlias(alias, origin, 0.93, new StoredRequest("a red fox", "a red fox",
        Fixtures.MODEL, null, null, null, null, null, null, Map.of(), "views"), null, null));
    Instant hit = Instant.parse("2039-06-01T12:00:00Z");
    repo.recordHits(List.of(new HitRecord(origin, HitRecord.Kind.EXACT, hit),
        new HitRecord(origin, HitRecord.Kind.EXACT, hit),
        new HitRecord(origin, HitRecord.Kind.SEMANTIC, hit)));

    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT cache_key, prompt, bucket, model, size_bytes, hits,"
            + " semantic_hits, last_hit_at, source, alias_of, expires_at, created_at FROM "
            + DB.schema().name() + ".entries WHERE bucket = 'views' ORDER BY source DESC")) {
      assertTrue(rs.next(), "the origin entry");
      assertEquals(origin, rs.getString("cache_key"));
      assertEquals("A Red Fox", rs.getString("prompt"));
      assertEquals(Fixtures.MODEL, rs.getString("model"));
      assertEquals(2_048, rs.getLong("size_bytes"));
      assertEquals(2, rs.getLong("hits"));
      assertEquals(1, rs.getLong("semantic_hits"));
      assertEquals(hit, rs.getTimestamp("last_hit_at").toInstant());
      assertEquals("origin", rs.getString("source"));
      assertNull(rs.getString("alias_of"));
      assertEquals(expires, rs.getTimestamp("expires_at").toInstant());
      assertTrue(rs.getTimestamp("created_at") != null);

      assertTrue(rs.next(), "the alias, sized by the image it shares with its target");
      assertEquals(alias, rs.getString("cache_key"));
      assertEquals("a red fox", rs.getString("prompt"));
      assertEquals(2_048, rs.getLong("size_bytes"));
      assertEquals(0, rs.getLong("hits"));
      assertEquals("alias", rs.getString("source"));
      assertEquals(origin, rs.getString("alias_of"));
      assertFalse(rs.next());
    }
  }

  /** Every counter of the day, both rates, and no division by zero on a day without requests. */
  @Test
  void hitRateDailyView_showsTheDaysCountersAndRates_nullRatesOnADayWithoutRequests()
      throws Exception {
    LocalDate busy = LocalDate.of(2033, 3, 3);
    LocalDate idle = LocalDate.of(2033, 3, 4);
    // day, requests, exact hits, semantic hits, misses, bypasses, stores, store drops
    repo.recordOutcomes(List.of(new DailyCounts(busy, 8, 3, 1, 3, 1, 2, 1),
        new DailyCounts(idle, 0, 0, 0, 0, 0, 0, 0)));
    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT day, requests, exact_hits, semantic_hits, misses,"
            + " bypasses, stores, store_drops, hit_rate, semantic_hit_rate FROM "
            + DB.schema().name() + ".hit_rate_daily WHERE day IN ('2033-03-03', '2033-03-04')"
            + " ORDER BY day")) {
      assertTrue(rs.next());
      assertEquals(busy, rs.getDate("day").toLocalDate());
      assertEquals(List.of(8L, 3L, 1L, 3L, 1L, 2L, 1L), List.of(rs.getLong("requests"),
          rs.getLong("exact_hits"), rs.getLong("semantic_hits"), rs.getLong("misses"),
          rs.getLong("bypasses"), rs.getLong("stores"), rs.getLong("store_drops")));
      assertEquals(0.5, rs.getDouble("hit_rate"), 1e-9);
      assertEquals(0.125, rs.getDouble("semantic_hit_rate"), 1e-9);

      assertTrue(rs.next());
      assertEquals(idle, rs.getDate("day").toLocalDate());
      assertNull(rs.getObject("hit_rate"));
      assertNull(rs.getObject("semantic_hit_rate"));
      assertFalse(rs.next());
    }
  }

  /** Most hits (exact plus semantic) first; among equals, the most recently hit first. */
  @Test
  void topPromptsView_ordersByTotalHits_thenByLastHit() throws Exception {
    Random r = new Random("top-prompts".hashCode());
    String few = key("top-few");
    String many = key("top-many");
    String tieOld = key("top-tie-old");
    String tieNew = key("top-tie-new");
    Map<String, String> prompts = Map.of(few, "few", many, "many", tieOld, "tie old",
        tieNew, "tie new");
    prompts.forEach((k, prompt) ->
        repo.store(entry(k, prompt, "top", null, null), image(r, 100), false));
    Instant t1 = Instant.parse("2035-01-01T00:00:00Z");
    Instant t2 = Instant.parse("2035-01-02T00:00:00Z");
    List<HitRecord> hits = new ArrayList<>();
    hits.add(new HitRecord(few, HitRecord.Kind.EXACT, t2));
    for (int i = 0; i < 3; i++) {
      hits.add(new HitRecord(many, HitRecord.Kind.SEMANTIC, t1));
    }
    hits.add(new HitRecord(many, HitRecord.Kind.EXACT, t1));
    hits.add(new HitRecord(tieOld, HitRecord.Kind.EXACT, t1));
    hits.add(new HitRecord(tieOld, HitRecord.Kind.SEMANTIC, t1));
    hits.add(new HitRecord(tieNew, HitRecord.Kind.EXACT, t2));
    hits.add(new HitRecord(tieNew, HitRecord.Kind.EXACT, t2));
    repo.recordHits(hits);

    List<String> order = new ArrayList<>();
    List<Long> totals = new ArrayList<>();
    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT prompt, total_hits FROM " + DB.schema().name()
            + ".top_prompts WHERE bucket = 'top'")) {
      while (rs.next()) {
        order.add(rs.getString(1));
        totals.add(rs.getLong(2));
      }
    }
    assertEquals(List.of("many", "tie new", "tie old", "few"), order);
    assertEquals(List.of(4L, 2L, 2L, 1L), totals);
  }

  static long countSql(String sql) {
    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
      s.execute("SET search_path = " + DB.schema().name() + ", public");
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (Exception e) {
      throw new AssertionError(sql, e);
    }
  }

  static String oneString(String sql) {
    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
      s.execute("SET search_path = " + DB.schema().name() + ", public");
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getString(1);
      }
    } catch (Exception e) {
      throw new AssertionError(sql, e);
    }
  }
}
