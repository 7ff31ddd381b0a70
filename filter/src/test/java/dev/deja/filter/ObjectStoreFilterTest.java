package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.S3TestServer;
import dev.deja.filter.testing.CacheHarness;
import dev.deja.filter.testing.FilterHarness;
import dev.deja.filter.testing.TestOrigin;
import dev.deja.filter.testing.TestStores;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The filter over real Jetty with images in a real S3 API server (S3Mock): hits are read from the
 * object store, large ones streamed; an object that disappeared or a store that is down costs a
 * trip to the origin, never an error.
 */
class ObjectStoreFilterTest {

  private static final String PROMPT = "/prompt/a%20lighthouse%20in%20fog?seed=7&width=64&height=64";

  private TestStores.Store store;
  private CacheHarness harness;
  private FilterHarness http;

  @BeforeEach
  void start() throws Exception {
    store = TestStores.openWithObjectStore(getClass(), 384);
    DejaConfig config = DejaConfig.builder()
        .semantic(false)
        .hotCacheBytes(0) // every hit must come from the object store
        .maxBodyBytes(32 * 1024 * 1024)
        .breakerFailures(100)
        .build();
    harness = CacheHarness.on(store, config, null, new TestOrigin(0));
    http = harness.http;
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  @Test
  void givenA20MbImageInTheObjectStore_whenRequestedAgain_thenItIsStreamedFromThere()
      throws Exception {
    http.origin.mode(TestOrigin.Mode.LARGE);
    HttpResponse<byte[]> first = http.get(PROMPT);
    assertEquals("MISS", first.headers().firstValue("X-Cache").orElseThrow());
    awaitStored(1);

    HttpResponse<byte[]> hit = http.get(PROMPT);
    assertEquals("HIT", hit.headers().firstValue("X-Cache").orElseThrow());
    assertEquals(TestOrigin.LARGE_BYTES, hit.body().length);
    assertArrayEquals(first.body(), hit.body());
    assertEquals(1, http.origin.calls());
    assertEquals(0, harness.store.imagePlacement().inDatabase(), "no image bytes in PostgreSQL");

    HttpResponse<byte[]> range = http.get(PROMPT, "Range", "bytes=1000-1999");
    assertEquals(206, range.statusCode());
    assertArrayEquals(Arrays.copyOfRange(first.body(), 1000, 2000), range.body());
  }

  @Test
  void givenALargeObjectDeletedBehindDejasBack_thenTheOriginAnswersAndTheEntryIsRepaired()
      throws Exception {
    http.origin.mode(TestOrigin.Mode.LARGE);
    http.get(PROMPT);
    awaitStored(1);
    deleteAllObjects();

    HttpResponse<byte[]> repaired = http.get(PROMPT);
    assertEquals(200, repaired.statusCode());
    assertEquals(TestOrigin.LARGE_BYTES, repaired.body().length);
    String status = repaired.headers().firstValue("Cache-Status").orElseThrow();
    assertTrue(status.contains("detail=image-missing"), status);
    assertEquals(2, http.origin.calls());
    awaitStored(1);

    assertEquals("HIT", http.get(PROMPT).headers().firstValue("X-Cache").orElseThrow());
    assertEquals(2, http.origin.calls());
  }

  @Test
  void givenASmallObjectDeleted_thenItIsAPlainMissAndTheNextRequestHits() throws Exception {
    http.get(PROMPT);
    awaitStored(1);
    deleteAllObjects();

    HttpResponse<byte[]> miss = http.get(PROMPT);
    assertEquals("MISS", miss.headers().firstValue("X-Cache").orElseThrow());
    assertEquals(2, http.origin.calls());
    awaitStored(1);
    assertEquals("HIT", http.get(PROMPT).headers().firstValue("X-Cache").orElseThrow());
  }

  @Test
  void givenTheObjectStoreDown_thenEveryRequestIsAnsweredByTheOrigin_andHitsResumeAfter()
      throws Exception {
    http.get(PROMPT);
    awaitStored(1);
    store.down(true);
    long started = System.nanoTime();
    HttpResponse<byte[]> r = http.get(PROMPT);
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(200, r.statusCode());
    String status = r.headers().firstValue("Cache-Status").orElseThrow();
    assertTrue(status.contains("detail=object-store-unavailable"), status);
    assertTrue(millis < 3_000, "took " + millis + " ms while the object store was down");
    assertEquals(2, http.origin.calls());
    store.down(false);
    HttpResponse<byte[]> back = http.get(PROMPT);
    assertEquals("HIT", back.headers().firstValue("X-Cache").orElseThrow());
  }

  private void awaitStored(int images) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (harness.store.imagePlacement().inObjectStore() == images
          && harness.store.stats().entries() >= 1) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not stored: " + harness.store.imagePlacement());
  }

  private void deleteAllObjects() {
    S3TestServer s3 = S3TestServer.get();
    for (String key : s3.keys(store.bucket())) {
      s3.deleteObject(store.bucket(), key);
    }
  }
}
