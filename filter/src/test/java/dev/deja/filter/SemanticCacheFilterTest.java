package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.filter.embed.Embedder;
import dev.deja.filter.embed.Embedders;
import dev.deja.db.CacheStore;
import dev.deja.filter.testing.CacheHarness;
import dev.deja.filter.testing.FilterHarness;
import dev.deja.filter.testing.TestOrigin;
import dev.deja.filter.testing.TestStores;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The filter over real HTTP (Jetty) in front of a test origin, with the real embedding model and
 * the in-memory store: the store's own behaviour is specified once for every implementation
 * ({@code CacheStoreContract}), so the filter's behaviour needs no database. What only a real
 * database shows (the network to it being cut) runs on PostgreSQL.
 */
class SemanticCacheFilterTest {

  private static Embedder embedder;
  private CacheHarness harness;
  private CacheStore store;
  /** The PostgreSQL store behind {@link #store}, for the specs that cut its network; else null. */
  private TestStores.Store postgres;
  private DejaCache cache;
  private FilterHarness http;

  @BeforeAll
  static void loadModel() {
    embedder = Embedders.createDefault();
  }

  @AfterAll
  static void closeModel() {
    embedder.close();
  }

  @BeforeEach
  void start() throws Exception {
    start(DejaConfig.builder().maxBodyBytes(64 * 1024));
  }

  private void start(DejaConfig.Builder config) throws Exception {
    start(config, new TestOrigin(50));
  }

  private void start(DejaConfig.Builder config, TestOrigin origin) throws Exception {
    stop();
    use(CacheHarness.inMemory(config.build(), embedder, origin));
  }

  /** Starts on real PostgreSQL, reached through a relay the spec can cut. */
  private void startOnPostgres(DejaConfig.Builder config) throws Exception {
    stop();
    postgres = TestStores.open(getClass(), embedder.dimension());
    use(CacheHarness.on(postgres, config.build(), embedder, new TestOrigin(50)));
  }

  private void use(CacheHarness started) {
    harness = started;
    store = started.store;
    cache = started.cache;
    http = started.http;
  }

  @AfterEach
  void stop() throws Exception {
    if (harness != null) {
      harness.close(); // with PostgreSQL: the store, its database, the relay and the schema
      harness = null;
      postgres = null;
      http = null;
    }
  }

  private static String path(String prompt, String query) {
    String p = "/prompt/" + URLEncoder.encode(prompt, StandardCharsets.UTF_8).replace("+", "%20");
    return query == null ? p : p + "?" + query;
  }

  /** Keys the cache said it would write (entries and aliases), until they are in the store. */
  private final java.util.Set<String> pendingWrites = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private HttpResponse<byte[]> get(String prompt, String query, String... headers)
      throws Exception {
    HttpResponse<byte[]> response = http.get(path(prompt, query), headers);
    String status = header(response, "Cache-Status");
    if (status != null && (status.contains("stored") || status.contains("detail=semantic"))) {
      pendingWrites.add(header(response, "X-Cache-Key"));
    }
    return response;
  }

  /**
   * Waits until the background writes the responses announced are in the store. The client can
   * see the whole response before the filter has even queued its write, so waiting for an empty
   * queue alone would race. A write that never lands (a body cut short) is given up on after a
   * while; the test's own assertions then decide.
   */
  private void awaitStores() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    for (String key : pendingWrites) {
      while (System.nanoTime() < deadline && store.findExact(key).isEmpty()) {
        Thread.sleep(10);
      }
    }
    pendingWrites.clear();
    for (int i = 0; i < 200 && cache.storeQueueDepth() > 0; i++) {
      Thread.sleep(10);
    }
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  @Test
  void secondIdenticalRequestIsAnExactHitWithTheSameBytes() throws Exception {
    var first = get("a lighthouse on a cliff at sunset", "seed=7&width=64&height=64");
    assertEquals(200, first.statusCode());
    assertEquals("MISS", header(first, "X-Cache"));
    assertTrue(header(first, "Cache-Status").startsWith("deja; fwd=uri-miss; stored"));
    assertTrue(header(first, "Server-Timing").contains("origin;dur="));

    var second = get("a lighthouse on a cliff at sunset", "seed=7&width=64&height=64");
    assertEquals(200, second.statusCode());
    assertEquals("HIT", header(second, "X-Cache"));
    assertEquals("exact", header(second, "X-Cache-Type"));
    assertEquals("deja; hit; detail=exact", header(second, "Cache-Status"));
    assertEquals("image/png", header(second, "Content-Type"));
    assertEquals(header(first, "X-Cache-Key"), header(second, "X-Cache-Key"));
    assertTrue(second.headers().firstValue("Age").isPresent());
    assertArrayEquals(first.body(), second.body());
    assertEquals(1, http.origin.calls());
  }

  @Test
  void exactHitSurvivesTheInMemoryTierThroughTheStore() throws Exception {
    get("a lighthouse on a cliff at sunset", "seed=7&width=64&height=64");
    awaitStores();
    cache.invalidateAll();
    var second = get("a lighthouse on a cliff at sunset", "seed=7&width=64&height=64");
    assertEquals("exact", header(second, "X-Cache-Type"));
    assertEquals(1, http.origin.calls());
  }

  @Test
  void paraphraseWithTheSameParametersIsASemanticHitThenAnExactHitViaItsAlias() throws Exception {
    String cached = "a cozy wooden cabin in a snowy forest at night";
    String paraphrase = "A cozy wooden cabin in a snowy forest at night, highly detailed";
    var original = get(cached, "seed=42&width=64&height=64");
    awaitStores();

    var semantic = get(paraphrase, "seed=42&width=64&height=64");
    assertEquals("HIT", header(semantic, "X-Cache"));
    assertEquals("semantic", header(semantic, "X-Cache-Type"));
    assertEquals("deja; hit; detail=semantic", header(semantic, "Cache-Status"));
    assertEquals("64x64_seed42", header(semantic, "X-Semantic-Bucket"));
    double similarity = Double.parseDouble(header(semantic, "X-Semantic-Similarity"));
    double threshold = Double.parseDouble(header(semantic, "X-Semantic-Threshold"));
    assertTrue(similarity >= threshold, similarity + " < " + threshold);
    assertTrue(header(semantic, "X-Semantic-Similarity").matches("\\d\\.\\d{4}"));
    assertEquals(header(original, "X-Cache-Key"), header(semantic, "X-Semantic-Matched-Key"));
    assertTrue(header(semantic, "Server-Timing").contains("embed;dur="));
    assertArrayEquals(original.body(), semantic.body());
    awaitStores();

    cache.invalidateAll(); // prove the alias is in the store, not only in memory
    var again = get(paraphrase, "seed=42&width=64&height=64");
    assertEquals("exact", header(again, "X-Cache-Type"));
    assertArrayEquals(original.body(), again.body());
    assertEquals(1, http.origin.calls());

    // The alias was accepted at its similarity: a client asking for more does not get it.
    var stricter = get(paraphrase, "seed=42&width=64&height=64", "X-Deja-Threshold", "0.9999");
    assertEquals("MISS", header(stricter, "X-Cache"), stricter.headers().map().toString());
    assertEquals(2, http.origin.calls());
  }

  @Test
  void swappedAttributesAreRefusedByTheGuardAndSaySo() throws Exception {
    get("a red cat sitting on a blue car, digital art", "seed=11&width=64&height=64");
    awaitStores();
    var swapped = get("a blue cat sitting on a red car, digital art", "seed=11&width=64&height=64");
    assertEquals("MISS", header(swapped, "X-Cache"));
    double best = Double.parseDouble(header(swapped, "X-Semantic-Best-Similarity"));
    assertTrue(best > 0.95, "embeddings alone would have served it: " + best);
    String reason = header(swapped, "X-Semantic-Guard");
    assertTrue(reason != null && !reason.equals("ok") && !reason.equals("below-threshold"), reason);
    assertEquals(2, http.origin.calls());
  }

  @Test
  void expiredEntriesAreNeverServed() throws Exception {
    start(DejaConfig.builder().defaultTtl(Duration.ofMillis(800)));
    http.origin.mode(TestOrigin.Mode.CHUNKED); // no Cache-Control: the default TTL applies
    get("a short-lived sandcastle", "seed=6&width=64&height=64");
    awaitStores();
    assertEquals("HIT", header(get("a short-lived sandcastle", "seed=6&width=64&height=64"), "X-Cache"));
    Thread.sleep(1000);
    // The in-memory copy is dropped as expired, and the database must not return it either.
    assertEquals("MISS", header(get("a short-lived sandcastle", "seed=6&width=64&height=64"), "X-Cache"));
    assertEquals(2, http.origin.calls());
  }

  @ParameterizedTest(name = "a request differing only in {0} is never served from another partition")
  @CsvSource({
    "seed, seed=43&width=64&height=64",
    "model, model=turbo&seed=42&width=64&height=64",
    "width, seed=42&width=128&height=64",
    "height, seed=42&width=64&height=128",
    "quality, quality=hd&seed=42&width=64&height=64",
    "negative prompt, negative_prompt=blurry&seed=42&width=64&height=64",
    "input image, image=https://img.example/aaaaaaaa/two.png&seed=42&width=64&height=64",
    "no seed, width=64&height=64",
  })
  void outputAffectingParametersSeparatePartitions(String what, String query) throws Exception {
    String prompt = "a cozy wooden cabin in a snowy forest at night";
    if (what.equals("input image")) {
      get(prompt, "image=https://img.example/aaaaaaaa/one.png&seed=42&width=64&height=64");
    } else {
      get(prompt, "seed=42&width=64&height=64");
    }
    awaitStores();
    var other = get(prompt + ", highly detailed", query);
    assertEquals("MISS", header(other, "X-Cache"), what);
    assertEquals(2, http.origin.calls(), what);
  }

  @Test
  void seedZeroAndNoSeedAreDifferentPartitions() throws Exception {
    var zero = get("a red fox in the snow", "seed=0&width=64&height=64");
    awaitStores();
    var none = get("a red fox in the snow", "width=64&height=64");
    assertEquals("MISS", header(none, "X-Cache"));
    assertEquals("64x64_seed0", header(zero, "X-Semantic-Bucket"));
    assertEquals("64x64_unseeded", header(none, "X-Semantic-Bucket"));
    assertEquals(2, http.origin.calls());
  }

  @Test
  void clientNoCacheFetchesFromTheOriginAndReplacesTheEntry() throws Exception {
    get("a blue teapot", "seed=1&width=64&height=64");
    awaitStores();
    var refreshed = get("a blue teapot", "seed=1&width=64&height=64", "Cache-Control", "no-cache");
    assertEquals("BYPASS", header(refreshed, "X-Cache"));
    assertTrue(header(refreshed, "Cache-Status").startsWith("deja; fwd=request"));
    var viaParam = get("a blue teapot", "seed=1&width=64&height=64&no-cache");
    assertEquals("BYPASS", header(viaParam, "X-Cache"));
    assertEquals(3, http.origin.calls());
    awaitStores();
    assertEquals("HIT", header(get("a blue teapot", "seed=1&width=64&height=64"), "X-Cache"));
  }

  @Test
  void clientNoStoreIsNotStored() throws Exception {
    get("a green teapot", "seed=1&width=64&height=64", "Cache-Control", "no-store");
    awaitStores();
    assertEquals("MISS", header(get("a green teapot", "seed=1&width=64&height=64"), "X-Cache"));
    assertEquals(2, http.origin.calls());
  }

  @ParameterizedTest(name = "origin answer {0} is passed on and not stored")
  @CsvSource({"SERVER_ERROR, 500", "PRIVATE, 200", "NOT_AN_IMAGE, 200", "TRUNCATED, 200"})
  void uncacheableOriginAnswersAreNotStored(TestOrigin.Mode mode, int status) throws Exception {
    http.origin.mode(mode);
    HttpResponse<byte[]> first;
    try {
      first = get("a yellow submarine", "seed=3&width=64&height=64");
      assertEquals(status, first.statusCode());
      assertFalse(header(first, "Cache-Status").contains("stored") && mode != TestOrigin.Mode.TRUNCATED);
    } catch (java.io.IOException cut) {
      assertEquals(TestOrigin.Mode.TRUNCATED, mode); // the client saw the cut too
    }
    http.origin.mode(TestOrigin.Mode.NORMAL);
    awaitStores();
    assertEquals("MISS", header(get("a yellow submarine", "seed=3&width=64&height=64"), "X-Cache"));
    assertEquals(2, http.origin.calls());
  }

  @Test
  void chunkedOriginAnswersWithoutLengthAreStored() throws Exception {
    http.origin.mode(TestOrigin.Mode.CHUNKED);
    var first = get("a purple submarine", "seed=3&width=64&height=64");
    http.origin.mode(TestOrigin.Mode.NORMAL);
    awaitStores();
    var second = get("a purple submarine", "seed=3&width=64&height=64");
    assertEquals("HIT", header(second, "X-Cache"));
    assertArrayEquals(first.body(), second.body());
  }

  @Test
  void bodiesOverTheLimitArePassedOnWholeAndNotStored() throws Exception {
    start(DejaConfig.builder().maxBodyBytes(200));
    var first = get("a detailed map of an island", "seed=5&width=256&height=256");
    assertEquals(200, first.statusCode());
    assertTrue(first.body().length > 200);
    awaitStores();
    var second = get("a detailed map of an island", "seed=5&width=256&height=256");
    assertEquals("MISS", header(second, "X-Cache"));
    assertArrayEquals(first.body(), second.body());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"semantic=shadow, shadow", "semanticRollout=0, rollout 0 %"})
  void givenShadowModeOrAZeroRollout_aParaphraseIsReportedAsAWouldBeHit_andTheOriginAnswers(
      String setting, String name) throws Exception {
    String[] kv = setting.split("=");
    start(DejaConfig.builder().maxBodyBytes(64 * 1024).set(kv[0], kv[1]));
    String cached = "a cozy wooden cabin in a snowy forest at night";
    String paraphrase = "A cozy wooden cabin in a snowy forest at night, highly detailed";
    var original = get(cached, "seed=42&width=64&height=64");
    awaitStores();

    var shadowed = get(paraphrase, "seed=42&width=64&height=64");

    assertEquals("MISS", header(shadowed, "X-Cache"));
    assertTrue(header(shadowed, "Cache-Status").startsWith("deja; fwd=uri-miss; detail=semantic-shadow"),
        header(shadowed, "Cache-Status"));
    assertEquals("would-hit; matched=" + header(original, "X-Cache-Key"),
        header(shadowed, "X-Semantic-Shadow"));
    assertEquals("ok", header(shadowed, "X-Semantic-Guard"));
    assertEquals(2, http.origin.calls(), "the origin drew the paraphrase");
    assertFalse(java.util.Arrays.equals(original.body(), shadowed.body()));
  }

  @Test
  void givenASpentMemoryBudget_anAnswerIsPassedOnWhole_notStored_andTheBytesComeBack()
      throws Exception {
    start(DejaConfig.builder().maxBodyBytes(64 * 1024).memoryBudgetBytes(100));
    var first = get("a detailed map of an island", "seed=5&width=64&height=64");
    assertEquals(200, first.statusCode());
    assertTrue(first.body().length > 100);
    assertFalse(header(first, "Cache-Status").contains("stored"), header(first, "Cache-Status"));
    var second = get("a detailed map of an island", "seed=5&width=64&height=64");
    assertEquals("MISS", header(second, "X-Cache"));
    assertArrayEquals(first.body(), second.body());
    assertEquals(0, cache.budget().used(), "no capture holds bytes once the exchange is over");
    assertTrue(cache.budget().refused() >= 2);
  }

  @Test
  void givenALongPreamble_aPromptWithAnotherEndingNeverGetsItsImage() throws Exception {
    // Issue #11 (hostile review): past the model's 512-token window both prompts embedded to the
    // same vector (similarity 1.0000, guard ok) and the second was served the first's image.
    start(DejaConfig.builder().maxBodyBytes(64 * 1024).maxPromptChars(8192));
    String preamble = String.join(", ", java.util.Collections.nCopies(45,
        "highly detailed digital painting in the style of a renaissance master with dramatic"
            + " lighting"));
    var picnic = get(preamble + ", a happy family picnic", "seed=33&width=64&height=64");
    awaitStores();
    var other = get(preamble + ", a gruesome murder scene", "seed=33&width=64&height=64");
    assertEquals("MISS", header(other, "X-Cache"), other.headers().map().toString());
    assertFalse(java.util.Arrays.equals(picnic.body(), other.body()));
    assertEquals("exact", header(get(preamble + ", a happy family picnic",
        "seed=33&width=64&height=64"), "X-Cache-Type"), "a long prompt is still an exact hit");
  }

  /** Cuts its first answer mid-body, then answers normally. */
  private static final class CutsFirstAnswer extends TestOrigin {
    private static final long serialVersionUID = 1L;

    CutsFirstAnswer() {
      super(300);
    }

    @Override
    protected void respond(
        jakarta.servlet.http.HttpServletRequest request,
        jakarta.servlet.http.HttpServletResponse response,
        byte[] png)
        throws java.io.IOException {
      if (calls() == 1) {
        response.setContentType("image/png");
        response.setContentLength(png.length + 100);
        response.getOutputStream().write(png);
        response.flushBuffer();
        throw new java.io.IOException("origin connection cut");
      }
      super.respond(request, response, png);
    }
  }

  @Test
  void givenTheLeadersAnswerIsCut_oneFollowerRetriesForAllTheOthers() throws Exception {
    // Hostile review of issue #11: after a cut leader, 30 waiting followers all went to the
    // origin at once. Now one of them leads a second flight and the rest share its answer.
    start(DejaConfig.builder().maxBodyBytes(64 * 1024), new CutsFirstAnswer());
    ExecutorService pool = Executors.newFixedThreadPool(20);
    int complete = 0;
    try {
      List<Callable<HttpResponse<byte[]>>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(() -> get("twenty kites over a beach", "seed=12&width=64&height=64"));
      }
      for (Future<HttpResponse<byte[]>> answer : pool.invokeAll(calls)) {
        try {
          complete += answer.get().statusCode() == 200 ? 1 : 0;
        } catch (java.util.concurrent.ExecutionException e) {
          // the leader's own answer was cut
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(complete >= 19, complete + " of 20 complete");
    assertEquals(2, http.origin.calls(), "the cut answer and one retry for everyone else");
  }

  @Test
  void fiftyConcurrentIdenticalMissesMakeOneOriginCall() throws Exception {
    http.origin.setDelayMillis(500);
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      List<Callable<HttpResponse<byte[]>>> calls = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        calls.add(() -> get("fifty lanterns over a river", "seed=9&width=64&height=64"));
      }
      List<Future<HttpResponse<byte[]>>> answers = pool.invokeAll(calls);
      byte[] expected = answers.get(0).get().body();
      for (Future<HttpResponse<byte[]>> answer : answers) {
        assertEquals(200, answer.get().statusCode());
        assertArrayEquals(expected, answer.get().body());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, http.origin.calls());
  }

  @Test
  void followersBeyondTheWaitingLimitAskTheOriginInsteadOfHoldingAThread() throws Exception {
    start(DejaConfig.builder().singleFlightMaxWaiters(0));
    http.origin.setDelayMillis(300);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<HttpResponse<byte[]>>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        calls.add(() -> get("a crowded lantern festival", "seed=9&width=64&height=64"));
      }
      for (Future<HttpResponse<byte[]>> answer : pool.invokeAll(calls)) {
        assertEquals(200, answer.get().statusCode());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(4, http.origin.calls());
  }

  @Test
  void whenTheLeaderFailsFollowersAskTheOriginThemselves() throws Exception {
    http.origin.setDelayMillis(300);
    http.origin.mode(TestOrigin.Mode.SERVER_ERROR);
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      List<Callable<HttpResponse<byte[]>>> calls = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        calls.add(() -> get("a failing generator", "seed=9&width=64&height=64"));
      }
      for (Future<HttpResponse<byte[]>> answer : pool.invokeAll(calls)) {
        assertEquals(500, answer.get().statusCode()); // the origin's own answer, not ours
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(5, http.origin.calls());
  }

  @Test
  void headRequestsAreAnsweredFromTheCacheWithoutABody() throws Exception {
    get("an orange kite", "seed=2&width=64&height=64");
    awaitStores();
    var head =
        http.send(
            HttpRequest.newBuilder(http.uri(path("an orange kite", "seed=2&width=64&height=64")))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    assertEquals("HIT", header(head, "X-Cache"));
    assertEquals(0, head.body().length);
  }

  @Test
  void badInputIsPassedToTheOriginUnchangedAndNotCached() throws Exception {
    var bad = http.get("/prompt/x?seed=abc&width=64&height=64");
    assertEquals(200, bad.statusCode()); // the test origin ignores the seed it cannot parse
    assertEquals("BYPASS", header(bad, "X-Cache"));
    assertEquals("deja; fwd=bypass; detail=invalid-seed", header(bad, "Cache-Status"));
    var unknown = http.get("/prompt/x?colour=red&width=64&height=64");
    assertEquals("deja; fwd=bypass; detail=unknown-param", header(unknown, "Cache-Status"));
    assertEquals(2, http.origin.calls());
  }

  @Test
  void postPassesThroughUntouched() throws Exception {
    var post =
        http.send(
            HttpRequest.newBuilder(http.uri("/prompt/x"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
    assertEquals(405, post.statusCode()); // the origin servlet answers POST itself
    assertTrue(post.headers().firstValue("X-Cache").isEmpty());
  }

  @Test
  void aRequestMayTightenButNotLoosenTheThreshold() throws Exception {
    get("a cozy wooden cabin in a snowy forest at night", "seed=8&width=64&height=64");
    awaitStores();
    var strict =
        get(
            "A cozy wooden cabin in a snowy forest at night, highly detailed",
            "seed=8&width=64&height=64",
            "X-Deja-Threshold",
            "0.9999");
    assertEquals("MISS", header(strict, "X-Cache"));
    assertEquals("0.9999", header(strict, "X-Semantic-Threshold"));
    var loose =
        get("a wooden boat", "seed=8&width=64&height=64", "X-Deja-Threshold", "0.1");
    assertEquals("MISS", header(loose, "X-Cache"));
    assertEquals(
        CacheHeadersFormat.threshold(cache), header(loose, "X-Semantic-Threshold"));
  }

  /** Keeps the expected-threshold formatting in one place. */
  private static final class CacheHeadersFormat {
    static String threshold(DejaCache cache) {
      return dev.deja.filter.http.CacheHeaders.decimal(cache.matcher().threshold());
    }
  }

  @Test
  void storeUnavailableAnswersFromTheOriginAndSaysSo() throws Exception {
    startOnPostgres(DejaConfig.builder().maxBodyBytes(64 * 1024));
    postgres.down(true);
    var down = get("a castle in the clouds", "seed=4&width=64&height=64");
    assertEquals(200, down.statusCode());
    assertTrue(
        header(down, "Cache-Status").startsWith("deja; fwd=miss; detail=cache-unavailable"),
        header(down, "Cache-Status"));
    postgres.down(false);
    Thread.sleep(Duration.ofMillis(300).toMillis());
  }
}
