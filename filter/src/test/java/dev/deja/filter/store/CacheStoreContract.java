package dev.deja.filter.store;

import dev.deja.db.CacheStore;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.CacheStats;
import dev.deja.db.EntryFilter;
import dev.deja.db.EntrySource;
import dev.deja.db.EntrySummary;
import dev.deja.db.HitRecord;
import dev.deja.db.Neighbor;
import dev.deja.db.NewAlias;
import dev.deja.db.NewEntry;
import dev.deja.db.PurgeCriteria;
import dev.deja.db.StoredResponse;
import dev.deja.filter.request.CacheKey;
import dev.deja.filter.request.ImageRequest;
import dev.deja.filter.request.ParsedRequest.Cacheable;
import dev.deja.filter.request.Partition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CacheStore} does, stated once and run against each implementation: a
 * subclass supplies a fresh, empty store per test. The filter relies on nothing a store does
 * beyond this suite, so a store that passes it can stand in for any other.
 *
 * <p>Times are real (the database has its own clock): "expired" is seconds in the past, never a
 * few milliseconds, so the suite does not depend on scheduling.
 */
abstract class CacheStoreContract {

  /** Embedding dimension of the suite's vectors. */
  static final int DIMENSION = 4;
  private static final String EMBEDDER = "test-embedder";
  private static final String MODEL = "flux";

  private CacheStore store;

  /** A new, empty store whose embeddings have {@link #DIMENSION} dimensions. */
  abstract CacheStore openStore();

  /** Releases what {@link #openStore} opened (a database schema, say). */
  void closeStore() {
    store.close();
  }

  @BeforeEach
  void open() {
    store = openStore();
  }

  @AfterEach
  void close() {
    closeStore();
  }

  // --- exact lookups ------------------------------------------------------------------------

  @Test
  void aStoredEntry_isFoundByItsKey_withItsBodyHeadersPromptAndDigest() {
    Instant expires = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
    Drawn cat = entry("a cat", 1).expiresAt(expires).build();
    put(cat);

    StoredResponse found = store.findExact(cat.key()).orElseThrow();
    assertEquals(cat.key(), found.cacheKey());
    assertEquals(200, found.status());
    assertEquals("image/png", found.contentType());
    assertEquals(List.of("max-age=3600"), found.headers().get("Cache-Control"));
    assertArrayEquals(cat.body(), found.body());
    assertEquals(StoredResponse.sha256Of(cat.body()), found.bodySha256());
    assertEquals("a cat", found.prompt());
    assertEquals(expires, found.expiresAt());
    assertFalse(found.isAlias());
    assertTrue(Duration.between(found.createdAt(), Instant.now()).abs().toSeconds() < 60,
        "created now, was " + found.createdAt());
  }

  @Test
  void anUnknownKey_findsNothing() {
    put(entry("a cat", 1).build());
    assertTrue(store.findExact(key("a dog", 1)).isEmpty());
  }

  @Test
  void anExpiredEntry_isNeverAnExactHit_butIsFoundStaleWithinTheWindowOnly() {
    Drawn cat = entry("a cat", 1).expiresAt(Instant.now().minusSeconds(30)).build();
    put(cat);
    String key = cat.key();

    assertTrue(store.findExact(key).isEmpty(), "expired is never fresh");
    assertTrue(store.findExactOrStale(key, Duration.ofSeconds(5)).isEmpty(), "beyond the window");
    StoredResponse stale = store.findExactOrStale(key, Duration.ofMinutes(5)).orElseThrow();
    assertFalse(stale.isFresh(Instant.now()), "the caller sees it is stale");
  }

  @Test
  void anEntryWithoutExpiry_isAlwaysFresh() {
    Drawn cat = entry("a cat", 1).build();
    put(cat);
    StoredResponse found = store.findExact(cat.key()).orElseThrow();
    assertNull(found.expiresAt());
    assertTrue(found.isFresh(Instant.now().plus(Duration.ofDays(3650))));
  }

  // --- storing --------------------------------------------------------------------------------

  @Test
  void storingAKeyAgain_keepsTheFirstImage_unlessTheEntryReplaces() {
    put(entry("a cat", 1).body("first").build());
    put(entry("a cat", 1).body("second").build());
    String key = key("a cat", 1);
    assertEquals("first", text(store.findExact(key).orElseThrow().body()));

    put(entry("a cat", 1).body("third").replace().build());
    assertEquals("third", text(store.findExact(key).orElseThrow().body()));
    assertEquals(1, store.stats().entries());
  }

  @Test
  void anExpiredEntry_givesWayToAFreshStore_evenWithoutReplace() {
    put(entry("a cat", 1).body("old").expiresAt(Instant.now().minusSeconds(30)).build());
    put(entry("a cat", 1).body("new").build());
    assertEquals("new", text(store.findExact(key("a cat", 1)).orElseThrow().body()));
  }

  @Test
  void concurrentStoresOfOneKey_leaveExactlyOneEntryAndOneImage() throws Exception {
    int writers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      Drawn e = entry("a cat", 1).body("image " + i).build();
      done.add(pool.submit(() -> {
        start.await();
        put(e);
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(30, TimeUnit.SECONDS); // none of them throws for the race
    }
    pool.shutdown();

    assertTrue(text(store.findExact(key("a cat", 1)).orElseThrow().body()).startsWith("image "));
    assertEquals(new CacheStats(1, 0, 1, "image 0".length()), store.stats());
  }

  // --- aliases --------------------------------------------------------------------------------

  @Test
  void anAlias_servesItsTargetsImage_underItsOwnKeyAndPrompt_withTheSimilarityOfTheHit() {
    Drawn cat = entry("a cat", 1).build();
    put(cat);
    store.storeAlias(alias("a kitten", 1, cat, 0.93, null));

    StoredResponse viaAlias = store.findExact(key("a kitten", 1)).orElseThrow();
    assertEquals(key("a kitten", 1), viaAlias.cacheKey());
    assertEquals("a kitten", viaAlias.prompt());
    assertEquals(cat.key(), viaAlias.aliasOf());
    assertEquals(0.93, viaAlias.similarity(), 1e-9);
    assertArrayEquals(cat.body(), viaAlias.body());
    assertEquals("image/png", viaAlias.contentType());
  }

  @Test
  void anAlias_neverOutlivesItsTarget() {
    Instant targetExpiry = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
    Drawn cat = entry("a cat", 1).expiresAt(targetExpiry).build();
    put(cat);
    store.storeAlias(alias("a kitten", 1, cat, 0.9, null));
    store.storeAlias(alias("a kitty", 1, cat, 0.9, targetExpiry.plus(Duration.ofDays(1))));

    assertEquals(targetExpiry, store.findExact(key("a kitten", 1)).orElseThrow().expiresAt());
    assertEquals(targetExpiry, store.findExact(key("a kitty", 1)).orElseThrow().expiresAt());
  }

  @Test
  void anAliasToAMissingOrExpiredTarget_isNotStored() {
    Drawn expired = entry("a cat", 1).expiresAt(Instant.now().minusSeconds(30)).build();
    put(expired);
    store.storeAlias(alias("a kitten", 1, expired, 0.9, null));
    store.storeAlias(alias("a puppy", 1, entry("a dog", 1).build(), 0.9, null));

    assertTrue(store.findExactOrStale(key("a kitten", 1), Duration.ofDays(1)).isEmpty());
    assertTrue(store.findExactOrStale(key("a puppy", 1), Duration.ofDays(1)).isEmpty());
    assertEquals(0, store.stats().aliases());
  }

  @Test
  void anAliasUnderAKeyAlreadyStored_changesNothing() {
    Drawn cat = entry("a cat", 1).build();
    Drawn kitten = entry("a kitten", 1).body("kitten").build();
    put(cat);
    put(kitten);
    store.storeAlias(alias("a kitten", 1, cat, 0.9, null));

    StoredResponse found = store.findExact(kitten.key()).orElseThrow();
    assertFalse(found.isAlias());
    assertEquals("kitten", text(found.body()));
  }

  @Test
  void replacingAnEntry_dropsTheAliasesOfItsOldImage() {
    Drawn cat = entry("a cat", 1).build();
    put(cat);
    store.storeAlias(alias("a kitten", 1, cat, 0.9, null));
    put(entry("a cat", 1).body("redrawn").replace().build());

    assertTrue(store.findExact(key("a kitten", 1)).isEmpty());
    assertEquals("redrawn", text(store.findExact(cat.key()).orElseThrow().body()));
  }

  @Test
  void deletingAnEntry_deletesItsAliases_andSaysWhetherItExisted() {
    Drawn cat = entry("a cat", 1).build();
    put(cat);
    store.storeAlias(alias("a kitten", 1, cat, 0.9, null));

    assertTrue(store.delete(cat.key()));
    assertTrue(store.findExact(cat.key()).isEmpty());
    assertTrue(store.findExact(key("a kitten", 1)).isEmpty());
    assertFalse(store.delete(cat.key()), "already gone");
    assertEquals(0, store.stats().entries() + store.stats().aliases());
  }

  // --- partitions and neighbours -------------------------------------------------------------

  @Test
  void hasCandidates_onlyForAFreshOriginEntryWithAnEmbedding_inExactlyThatPartition() {
    Drawn cat = entry("a cat", 1).build();
    String bucket = cat.bucket();
    assertFalse(store.hasCandidates(bucket, MODEL, EMBEDDER), "empty store");

    put(entry("a dog", 1).withoutEmbedding().build());
    put(entry("a bird", 1).expiresAt(Instant.now().minusSeconds(30)).build());
    assertFalse(store.hasCandidates(bucket, MODEL, EMBEDDER), "no embedding, or expired");

    put(cat);
    assertTrue(store.hasCandidates(bucket, MODEL, EMBEDDER));
    assertFalse(store.hasCandidates(entry("x", 2).build().bucket(), MODEL, EMBEDDER));
    assertFalse(store.hasCandidates(bucket, "sdxl", EMBEDDER));
    assertFalse(store.hasCandidates(bucket, MODEL, "other-embedder"));
  }

  @Test
  void findNearest_ranksByCosineSimilarity_mostSimilarFirst_atMostK() {
    put(entry("north", 1).embedding(1, 0, 0, 0).build());
    put(entry("north-east", 1).embedding(1, 1, 0, 0).build());
    put(entry("east", 1).embedding(0, 1, 0, 0).build());
    put(entry("south", 1).embedding(-1, 0, 0, 0).build());
    String bucket = entry("any", 1).build().bucket();

    List<Neighbor> nearest = store.findNearest(bucket, MODEL, EMBEDDER, vector(2, 0, 0, 0), 3);

    assertEquals(List.of("north", "north-east", "east"),
        nearest.stream().map(Neighbor::prompt).toList());
    assertEquals(key("north", 1), nearest.get(0).cacheKey());
    assertEquals(1.0, nearest.get(0).similarity(), 1e-6, "cosine ignores length");
    assertEquals(Math.sqrt(0.5), nearest.get(1).similarity(), 1e-6);
    assertEquals(0.0, nearest.get(2).similarity(), 1e-6);
  }

  @Test
  void findNearest_staysInsideExactlyThePartition_bucketModelAndEmbeddingModel() {
    put(entry("here", 1).embedding(1, 0, 0, 0).build());
    put(entry("other seed", 2).embedding(1, 0, 0, 0).build());
    put(entry("other model", 1).model("sdxl").embedding(1, 0, 0, 0).build());
    put(entry("other embedder", 1).embedder("other-embedder").embedding(1, 0, 0, 0)
        .build());
    String bucket = entry("any", 1).build().bucket();

    List<Neighbor> nearest = store.findNearest(bucket, MODEL, EMBEDDER, vector(1, 0, 0, 0), 10);

    assertEquals(List.of("here"), nearest.stream().map(Neighbor::prompt).toList());
  }

  @Test
  void findNearest_neverReturnsAliasesOrExpiredEntries() {
    Drawn cat = entry("a cat", 1).embedding(1, 0, 0, 0).build();
    put(cat);
    store.storeAlias(alias("a kitten", 1, cat, 0.95, null));
    put(entry("an old cat", 1).embedding(1, 0, 0, 0)
        .expiresAt(Instant.now().minusSeconds(30)).build());

    List<Neighbor> nearest =
        store.findNearest(cat.bucket(), MODEL, EMBEDDER, vector(1, 0, 0, 0), 10);

    assertEquals(List.of(cat.key()), nearest.stream().map(Neighbor::cacheKey).toList());
  }

  // --- maintenance ----------------------------------------------------------------------------

  @Test
  void stats_countEntriesAndAliasesApart_andEachSharedImageOnce() {
    Drawn cat = entry("a cat", 1).body("12345").build();
    put(cat);
    put(entry("the same cat", 1).body("12345").build());
    put(entry("a dog", 1).body("1234567").build());
    store.storeAlias(alias("a kitten", 1, cat, 0.9, null));

    assertEquals(new CacheStats(3, 1, 2, 5 + 7), store.stats());
  }

  @Test
  void purge_deletesTheEntriesMatchingEveryCriterion_andTheAliasesLeftWithoutTarget()
      throws Exception {
    Drawn old = entry("an old cat", 1).build();
    put(old);
    store.storeAlias(alias("an old kitten", 1, old, 0.9, null));
    put(entry("an old cat drawn by sdxl", 1).model("sdxl").build());
    Thread.sleep(50);
    Instant between = Instant.now();
    Thread.sleep(50);
    put(entry("a new cat", 1).build());
    put(entry("an old cat in another bucket", 2).build());

    int purged = store.purge(new PurgeCriteria(MODEL, old.bucket(), between));

    assertEquals(2, purged, "the old entry and its alias, both created before and in that bucket");
    assertTrue(store.findExact(old.key()).isEmpty());
    assertTrue(store.findExact(key("an old kitten", 1)).isEmpty(), "its alias went with it");
    assertTrue(store.findExact(key("a new cat", 1)).isPresent(), "created after");
    assertTrue(store.findExact(key("an old cat in another bucket", 2)).isPresent());
    assertEquals(3, store.stats().entries(), "the sdxl one is another model");
  }

  @Test
  void list_pagesNewestFirst_andShowsAliasesAsAliases() throws Exception {
    Drawn cat = entry("a cat", 1).build();
    put(cat);
    Thread.sleep(5); // distinct creation times on any clock, so the order is the newest-first rule
    put(entry("a dog", 1).build());
    Thread.sleep(5);
    put(entry("a bird", 1).expiresAt(Instant.now().minusSeconds(30)).build());
    Thread.sleep(5);
    store.storeAlias(alias("a kitten", 1, cat, 0.9, null));

    List<EntrySummary> all = store.list(EntryFilter.all(), 10, 0);

    assertEquals(List.of("a kitten", "a bird", "a dog", "a cat"),
        all.stream().map(EntrySummary::prompt).toList(), "expired entries are still listed");
    EntrySummary kitten = all.get(0);
    assertEquals(key("a kitten", 1), kitten.cacheKey());
    assertEquals(EntrySource.ALIAS, kitten.source());
    assertEquals(cat.key(), kitten.aliasOf());
    assertEquals(MODEL, kitten.model());
    assertEquals(cat.bucket(), kitten.bucket());
    EntrySummary first = all.get(3);
    assertEquals(EntrySource.ORIGIN, first.source());
    assertNull(first.aliasOf());
    assertNull(first.expiresAt());
    assertNull(first.lastHitAt(), "never served");
    assertTrue(all.get(1).expiresAt().isBefore(Instant.now()));
    assertEquals(List.of("a bird", "a dog"),
        store.list(EntryFilter.all(), 2, 1).stream().map(EntrySummary::prompt).toList());
    assertEquals(List.of(), store.list(EntryFilter.all(), 10, 4));
  }

  @Test
  void list_matchesEveryFilterField_andThePromptAsPlainTextIgnoringCase() throws Exception {
    Drawn cat = entry("a black cat", 1).build();
    put(cat);
    Thread.sleep(5); // distinct creation times: the expected lists are newest first
    put(entry("a cat drawn by sdxl", 1).model("sdxl").build());
    Thread.sleep(50);
    Instant between = Instant.now();
    Thread.sleep(50);
    put(entry("a CAT in another bucket", 2).build());
    Thread.sleep(5);
    put(entry("a dog", 1).build());

    assertEquals(List.of("a CAT in another bucket", "a cat drawn by sdxl", "a black cat"),
        prompts(new EntryFilter(null, null, "Cat", null)));
    assertEquals(List.of("a cat drawn by sdxl"), prompts(new EntryFilter("sdxl", null, null, null)));
    assertEquals(List.of("a dog", "a black cat"),
        prompts(new EntryFilter(MODEL, cat.bucket(), null, null)));
    assertEquals(List.of("a cat drawn by sdxl", "a black cat"),
        prompts(new EntryFilter(null, null, null, between)));
    assertEquals(List.of("a black cat"),
        prompts(new EntryFilter(MODEL, cat.bucket(), "cat", between)));
    assertEquals(List.of(), prompts(new EntryFilter(null, null, "%", null)), "% is no wildcard");
    assertEquals(List.of(), prompts(new EntryFilter(null, null, "a_", null)), "_ is no wildcard");
  }

  @Test
  void list_showsWhenAnEntryWasLastServed() {
    Drawn cat = entry("a cat", 1).build();
    put(cat);
    Instant servedAt = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.MILLIS);
    store.recordHits(List.of(new HitRecord(cat.key(), HitRecord.Kind.EXACT, servedAt)));

    Instant lastHit = store.list(EntryFilter.all(), 1, 0).get(0).lastHitAt();
    // PostgreSQL keeps microseconds through a double: allow it that rounding, nothing more.
    assertTrue(Duration.between(servedAt, lastHit).abs().toMillis() < 1, lastHit + " vs " + servedAt);
  }

  private List<String> prompts(EntryFilter filter) {
    return store.list(filter, 100, 0).stream().map(EntrySummary::prompt).toList();
  }

  @Test
  void deleteExpired_keepsTheStaleWindow_andDeletesAtMostABatch() {
    Instant longAgo = Instant.now().minus(Duration.ofHours(2));
    for (int i = 0; i < 3; i++) {
      put(entry("long expired " + i, 1).expiresAt(longAgo).build());
    }
    put(entry("just expired", 1).expiresAt(Instant.now().minusSeconds(30)).build());
    put(entry("fresh", 1).expiresAt(Instant.now().plus(Duration.ofHours(1))).build());

    assertEquals(2, store.deleteExpired(Duration.ofHours(1), 2).size());
    assertEquals(1, store.deleteExpired(Duration.ofHours(1), 2).size(), "a short batch: none left");
    assertEquals(0, store.deleteExpired(Duration.ofHours(1), 2).size());
    assertTrue(store.findExactOrStale(key("just expired", 1), Duration.ofHours(1)).isPresent(),
        "inside the stale-if-error window");
    assertEquals(List.of(key("just expired", 1)), store.deleteExpired(Duration.ZERO, 10),
        "the deleted keys, for the other instances' in-memory tiers");
    assertTrue(store.findExact(key("fresh", 1)).isPresent());
  }

  @Test
  void evictToByteBudget_deletesLeastRecentlyHitFirst_withTheirImages() throws Exception {
    for (String prompt : List.of("first", "second", "third")) {
      put(entry(prompt, 1).body(prompt + " image bytes").build());
      Thread.sleep(20); // distinct creation times
    }
    store.recordHits(List.of(new HitRecord(key("first", 1), HitRecord.Kind.EXACT, Instant.now())));
    long oneImage = "first image bytes".length();

    assertEquals(java.util.Set.of(key("second", 1), key("third", 1)),
        java.util.Set.copyOf(store.evictToByteBudget(oneImage, 100)));

    assertTrue(store.findExact(key("first", 1)).isPresent(), "the most recently hit stays");
    assertTrue(store.findExact(key("second", 1)).isEmpty());
    assertTrue(store.findExact(key("third", 1)).isEmpty());
    assertEquals(new CacheStats(1, 0, 1, oneImage), store.stats());
    assertEquals(List.of(), store.evictToByteBudget(oneImage, 100), "already within the budget");
  }

  @Test
  void evictToByteBudget_deletesAtMostABatch() throws Exception {
    for (String prompt : List.of("first", "second", "third")) {
      put(entry(prompt, 1).body(prompt + " image").build());
      Thread.sleep(20);
    }
    assertEquals(List.of(key("first", 1)), store.evictToByteBudget(0, 1));
    assertTrue(store.findExact(key("first", 1)).isEmpty(), "oldest, never hit");
    assertEquals(2, store.stats().entries());
  }

  @Test
  void deleteOrphanBlobs_deletesOnlyImagesNoEntryReferences() {
    Drawn cat = entry("a cat", 1).body("cat").build();
    put(cat);
    put(entry("a dog", 1).body("dog").build());
    store.delete(cat.key());
    assertEquals(2, store.stats().blobs(), "delete leaves the image for the sweeper");

    assertEquals(1, store.deleteOrphanBlobs(10));
    assertEquals(new CacheStats(1, 0, 1, 3), store.stats());
    assertEquals(0, store.deleteOrphanBlobs(10));
  }

  // --- fixtures -------------------------------------------------------------------------------

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static float[] vector(float... v) {
    return v;
  }

  static ImageRequest request(String prompt, long seed, String model) {
    return new ImageRequest("/prompt/", ImageRequest.PromptLocation.PATH, prompt, model, 512, 512,
        seed, new TreeMap<>(), List.of(), null);
  }

  static String key(String prompt, long seed) {
    return CacheKey.of(request(prompt, seed, MODEL)).value();
  }

  static EntryBuilder entry(String prompt, long seed) {
    return new EntryBuilder(prompt, seed);
  }

  /** The alias a semantic hit on {@code target} leaves under the key of {@code prompt}. */
  static NewAlias alias(
      String prompt, long seed, Drawn target, double similarity, Instant expiresAt) {
    return new NewAlias(key(prompt, seed), target.key(), similarity,
        cacheable(request(prompt, seed, MODEL)).stored(prompt.toLowerCase()), null, expiresAt);
  }

  static Cacheable cacheable(ImageRequest r) {
    return new Cacheable(r, CacheKey.of(r), Partition.of(r));
  }

  /** Stores {@code drawn} as the filter does after an origin response. */
  void put(Drawn drawn) {
    store.store(drawn.entry(), drawn.body(), drawn.replace());
  }

  /**
   * An origin response as the filter hands it to a store: the entry, its body, and whether the
   * client asked to replace what is there.
   */
  record Drawn(NewEntry entry, byte[] body, boolean replace) {
    String key() {
      return entry.cacheKey();
    }

    String bucket() {
      return entry.request().bucket();
    }
  }

  /** A {@link Drawn} response with defaults a test overrides one at a time. */
  static final class EntryBuilder {
    private final String prompt;
    private final long seed;
    private String model = MODEL;
    private String embedder = EMBEDDER;
    private float[] embedding = {0.5f, 0.5f, 0.5f, 0.5f};
    private byte[] body;
    private Instant expiresAt;
    private boolean replace;

    EntryBuilder(String prompt, long seed) {
      this.prompt = prompt;
      this.seed = seed;
      this.body = ("image of " + prompt).getBytes(StandardCharsets.UTF_8);
    }

    EntryBuilder model(String model) {
      this.model = model;
      return this;
    }

    EntryBuilder embedder(String embedder) {
      this.embedder = embedder;
      return this;
    }

    EntryBuilder embedding(float... embedding) {
      this.embedding = embedding;
      return this;
    }

    /** An exact-only entry: its embedding could not be computed. */
    EntryBuilder withoutEmbedding() {
      this.embedding = null;
      return this;
    }

    EntryBuilder body(String body) {
      this.body = body.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    EntryBuilder expiresAt(Instant expiresAt) {
      this.expiresAt = expiresAt;
      return this;
    }

    EntryBuilder replace() {
      this.replace = true;
      return this;
    }

    Drawn build() {
      ImageRequest r = request(prompt, seed, model);
      NewEntry entry = new NewEntry(CacheKey.of(r).value(),
          cacheable(r).stored(prompt.toLowerCase()), embedding,
          embedding == null ? null : embedder, 200, "image/png",
          Map.of("Cache-Control", List.of("max-age=3600")), expiresAt);
      return new Drawn(entry, body, replace);
    }
  }
}
