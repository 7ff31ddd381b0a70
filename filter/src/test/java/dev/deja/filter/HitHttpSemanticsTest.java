package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.StoredResponse;
import dev.deja.filter.embed.Embedder;
import dev.deja.filter.embed.Embedders;
import dev.deja.db.CacheStore;
import dev.deja.filter.testing.CacheHarness;
import dev.deja.filter.testing.FilterHarness;
import dev.deja.filter.testing.TestOrigin;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a hit means in HTTP, through the real filter on Jetty with the real model: validators and
 * revalidation, ranges, HEAD, the lifetime of substituted images, and which of the origin's
 * headers are kept. On the in-memory store: what a store gives back (digest, headers) is the same
 * for every store ({@code CacheStoreContract}), so PostgreSQL would add time, not coverage.
 */
class HitHttpSemanticsTest {

  private static final String QUERY = "seed=42&width=64&height=64";
  private static final String CABIN = "a cozy wooden cabin in a snowy forest at night";
  private static final String CABIN_PARAPHRASE =
      "A cozy wooden cabin in a snowy forest at night, highly detailed";

  private static Embedder embedder;
  private CacheHarness harness;
  private CacheStore store;
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
    harness =
        CacheHarness.inMemory(
            DejaConfig.builder().maxBodyBytes(64 * 1024).build(), embedder, new TestOrigin(20));
    store = harness.store;
    cache = harness.cache;
    http = harness.http;
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  private static String path(String prompt) {
    return "/prompt/"
        + URLEncoder.encode(prompt, StandardCharsets.UTF_8).replace("+", "%20")
        + "?"
        + QUERY;
  }

  private HttpResponse<byte[]> get(String prompt, String... headers) throws Exception {
    return http.get(path(prompt), headers);
  }

  private HttpResponse<byte[]> head(String prompt, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(http.uri(path(prompt)))
            .method("HEAD", HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build());
  }

  /** The origin's answer for {@code prompt}, once it is in the store. */
  private HttpResponse<byte[]> stored(String prompt) throws Exception {
    HttpResponse<byte[]> miss = get(prompt);
    assertTrue(header(miss, "Cache-Status").endsWith("stored"), header(miss, "Cache-Status"));
    awaitInStore(header(miss, "X-Cache-Key"));
    return miss;
  }

  private StoredResponse awaitInStore(String key) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      var found = store.findExact(key);
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(10);
    }
    throw new AssertionError("never stored: " + key);
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  // --- validators ----------------------------------------------------------------------------

  @Test
  void givenAStoredImage_whenAClientRevalidatesWithItsEtag_then304WithoutABody() throws Exception {
    byte[] image = stored(CABIN).body();
    for (boolean fromStore : new boolean[] {false, true}) {
      if (fromStore) {
        cache.invalidateAll(); // the ETag read from the store is the same digest
      }
      var hit = get(CABIN);
      assertEquals("HIT", header(hit, "X-Cache"));
      assertEquals('"' + sha256(image) + '"', header(hit, "ETag"));
      assertEquals("bytes", header(hit, "Accept-Ranges"));
      assertTrue(header(hit, "Last-Modified").endsWith(" GMT"), header(hit, "Last-Modified"));

      var revalidated = get(CABIN, "If-None-Match", "\"stale\", W/" + header(hit, "ETag"));
      assertEquals(304, revalidated.statusCode());
      assertEquals(0, revalidated.body().length);
      assertEquals(header(hit, "ETag"), header(revalidated, "ETag"));
      assertEquals(header(hit, "Last-Modified"), header(revalidated, "Last-Modified"));
      assertEquals("public, max-age=31536000, immutable", header(revalidated, "Cache-Control"));
      assertEquals("deja; hit; detail=exact", header(revalidated, "Cache-Status"));
    }
    assertEquals(1, http.origin.calls());
  }

  @Test
  void givenAStoredImage_whenTheClientsCopyIsOlderOrOfAnotherImage_thenTheWholeImage()
      throws Exception {
    byte[] image = stored(CABIN).body();
    var hit = get(CABIN);

    var sinceCreated = get(CABIN, "If-Modified-Since", header(hit, "Last-Modified"));
    assertEquals(304, sinceCreated.statusCode());

    var before = get(CABIN, "If-Modified-Since", "Thu, 01 Jan 2015 00:00:00 GMT");
    assertEquals(200, before.statusCode());
    assertArrayEquals(image, before.body());

    var otherTag =
        get(
            CABIN,
            "If-None-Match", "\"another-image\"",
            "If-Modified-Since", header(hit, "Last-Modified"));
    assertEquals(200, otherTag.statusCode(), "If-None-Match decides, the date is not looked at");
    assertArrayEquals(image, otherTag.body());
  }

  // --- ranges --------------------------------------------------------------------------------

  @Test
  void givenAStoredImage_singleRangesAreServedAndOthersGetTheWholeImage() throws Exception {
    byte[] image = stored(CABIN).body();
    int len = image.length;

    var first = get(CABIN, "Range", "bytes=0-99");
    assertEquals(206, first.statusCode());
    assertEquals("bytes 0-99/" + len, header(first, "Content-Range"));
    assertEquals("100", header(first, "Content-Length"));
    assertArrayEquals(Arrays.copyOfRange(image, 0, 100), first.body());

    var tail = get(CABIN, "Range", "bytes=-10");
    assertEquals(206, tail.statusCode());
    assertEquals(
        "bytes " + (len - 10) + "-" + (len - 1) + "/" + len, header(tail, "Content-Range"));
    assertArrayEquals(Arrays.copyOfRange(image, len - 10, len), tail.body());

    var rest = get(CABIN, "Range", "bytes=100-");
    assertArrayEquals(Arrays.copyOfRange(image, 100, len), rest.body());

    var beyond = get(CABIN, "Range", "bytes=" + len + "-");
    assertEquals(416, beyond.statusCode());
    assertEquals("bytes */" + len, header(beyond, "Content-Range"));
    assertEquals(0, beyond.body().length);

    var several = get(CABIN, "Range", "bytes=0-1,5-9");
    assertEquals(200, several.statusCode());
    assertArrayEquals(image, several.body());

    var resumedWithStaleCopy = get(CABIN, "Range", "bytes=0-99", "If-Range", "\"stale\"");
    assertEquals(200, resumedWithStaleCopy.statusCode());
    assertArrayEquals(image, resumedWithStaleCopy.body());

    var resumed = get(CABIN, "Range", "bytes=0-99", "If-Range", header(first, "ETag"));
    assertEquals(206, resumed.statusCode());
    assertEquals(1, http.origin.calls());
  }

  // --- HEAD ----------------------------------------------------------------------------------

  @Test
  void headHasExactlyTheHeadersOfGetIncludingContentLength() throws Exception {
    byte[] image = stored(CABIN).body();
    var get = get(CABIN);
    var head = head(CABIN);
    assertEquals(200, head.statusCode());
    assertEquals(0, head.body().length);
    assertEquals(Integer.toString(image.length), header(head, "Content-Length"));
    assertEquals(comparable(get), comparable(head));

    var get304 = get(CABIN, "If-None-Match", header(get, "ETag"));
    var head304 = head(CABIN, "If-None-Match", header(get, "ETag"));
    assertEquals(304, head304.statusCode());
    assertEquals(comparable(get304), comparable(head304));
  }

  /** Headers without those that legitimately differ between two requests: time and timing. */
  private static Map<String, List<String>> comparable(HttpResponse<?> r) {
    Map<String, List<String>> headers = new TreeMap<>(r.headers().map());
    headers.keySet().removeAll(Set.of("date", "server-timing", "age"));
    return headers;
  }

  // --- lifetime of substitutes ---------------------------------------------------------------

  @Test
  void aSemanticHitAndItsAliasHaveAShortLifetimeWhileTheExactHitKeepsTheOrigins()
      throws Exception {
    stored(CABIN);

    var semantic = get(CABIN_PARAPHRASE);
    assertEquals("semantic", header(semantic, "X-Cache-Type"));
    assertEquals("public, max-age=300", header(semantic, "Cache-Control"));
    assertFalse(header(semantic, "Cache-Control").contains("immutable"));
    assertNull(header(semantic, "Expires"));
    assertEquals(header(get(CABIN), "ETag"), header(semantic, "ETag"), "same bytes, same tag");

    awaitInStore(header(semantic, "X-Cache-Key"));
    cache.invalidateAll(); // the alias as read back from the store
    var alias = get(CABIN_PARAPHRASE);
    assertEquals("exact", header(alias, "X-Cache-Type"));
    assertEquals("public, max-age=300", header(alias, "Cache-Control"));

    var exact = get(CABIN);
    assertEquals("exact", header(exact, "X-Cache-Type"));
    assertEquals("public, max-age=31536000, immutable", header(exact, "Cache-Control"));
    assertEquals(1, http.origin.calls());
  }

  // --- stored headers and types --------------------------------------------------------------

  @Test
  void anOriginsPrivateHeadersAreNeitherStoredNorReplayed() throws Exception {
    http.origin.mode(TestOrigin.Mode.EXTRA_HEADERS);
    var miss = get(CABIN);
    assertEquals("s3cr3t", header(miss, "X-Secret"), "a miss passes the origin's answer on");
    StoredResponse row = awaitInStore(header(miss, "X-Cache-Key"));
    assertEquals(
        Set.of("cache-control", "content-disposition", "expires"),
        row.headers().keySet().stream()
            .map(n -> n.toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet()));

    for (boolean fromStore : new boolean[] {false, true}) {
      if (fromStore) {
        cache.invalidateAll();
      }
      var hit = get(CABIN);
      assertEquals("HIT", header(hit, "X-Cache"));
      assertNull(header(hit, "Authorization"));
      assertNull(header(hit, "X-Request-Id"));
      assertNull(header(hit, "X-Secret"));
      assertEquals('"' + sha256(hit.body()) + '"', header(hit, "ETag"), "Deja's, not the origin's");
      assertFalse(header(hit, "Last-Modified").contains("2015"));
      assertEquals("inline; filename=\"image.png\"", header(hit, "Content-Disposition"));
      assertEquals("Thu, 01 Jan 2037 00:00:00 GMT", header(hit, "Expires"));
    }
  }

  @Test
  void anSvgIsNeverStored() throws Exception {
    http.origin.mode(TestOrigin.Mode.SVG);
    var first = get(CABIN);
    assertEquals(200, first.statusCode());
    assertEquals(TestOrigin.SVG_WITH_SCRIPT, new String(first.body(), StandardCharsets.UTF_8));
    assertEquals("deja; fwd=uri-miss", header(first, "Cache-Status"));

    var second = get(CABIN);
    assertEquals("MISS", header(second, "X-Cache"));
    assertEquals(2, http.origin.calls());
    assertTrue(store.findExact(header(first, "X-Cache-Key")).isEmpty());
  }
}
