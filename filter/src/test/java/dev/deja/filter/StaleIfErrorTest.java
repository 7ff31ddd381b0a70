package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.CacheStore;
import dev.deja.filter.testing.CacheHarness;
import dev.deja.filter.testing.FilterHarness;
import dev.deja.filter.testing.TestOrigin;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 5861 {@code stale-if-error} (issue #11): an entry that expired recently stands in for an
 * origin that fails, says so, and never outlives its window.
 */
class StaleIfErrorTest {

  /** An origin whose images live one second, and that can be made to fail. */
  static final class ShortLivedOrigin extends TestOrigin {
    private static final long serialVersionUID = 1L;

    enum Failure { NONE, STATUS_503, THROWS, PRIVATE_STALE_DIRECTIVE }

    volatile Failure failure = Failure.NONE;
    volatile String cacheControl = "public, max-age=1";

    ShortLivedOrigin() {
      super(5);
    }

    @Override
    protected void respond(HttpServletRequest request, HttpServletResponse response, byte[] png)
        throws IOException {
      switch (failure) {
        case STATUS_503 -> response.sendError(503, "generator overloaded");
        case THROWS -> throw new IllegalStateException("generator crashed");
        default -> {
          response.setContentType("image/png");
          response.setHeader("Cache-Control", cacheControl);
          response.setContentLength(png.length);
          response.getOutputStream().write(png);
        }
      }
    }
  }

  private CacheHarness harness;
  private CacheStore store;
  private FilterHarness http;
  private ShortLivedOrigin origin;

  private void start(DejaConfig.Builder config) throws Exception {
    origin = new ShortLivedOrigin();
    harness = CacheHarness.exactOnly(config, origin);
    store = harness.store;
    http = harness.http;
  }

  @AfterEach
  void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  private static final String PATH = "/prompt/a%20harbour%20at%20dusk?seed=5&width=32&height=32";

  /** Stores the image, then waits for it to expire. */
  private byte[] storeAndExpire() throws Exception {
    HttpResponse<byte[]> miss = http.get(PATH);
    assertTrue(miss.headers().firstValue("Cache-Status").orElse("").contains("stored"));
    String key = miss.headers().firstValue("X-Cache-Key").orElseThrow();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (store.findExact(key).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(1_600); // max-age=1 has passed: the entry is expired, not yet deleted
    return miss.body();
  }

  @Test
  void givenAnExpiredEntry_whenTheOriginAnswers503_thenTheStaleImageIsServedAndMarked()
      throws Exception {
    start(DejaConfig.builder());
    byte[] image = storeAndExpire();
    origin.failure = ShortLivedOrigin.Failure.STATUS_503;

    HttpResponse<byte[]> r = http.get(PATH);

    assertEquals(200, r.statusCode());
    assertArrayEquals(image, r.body());
    String status = r.headers().firstValue("Cache-Status").orElse("");
    assertTrue(status.startsWith("deja; fwd=stale; fwd-status=503; ttl=-"), status);
    assertTrue(status.endsWith("detail=stale-if-error"), status);
    assertEquals("stale", r.headers().firstValue("X-Cache-Type").orElse(null));
    assertEquals("max-age=0, must-revalidate", r.headers().firstValue("Cache-Control").orElse(null));
    assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(null));
  }

  @Test
  void givenAnExpiredEntry_whenTheOriginThrows_thenTheStaleImageIsServed() throws Exception {
    start(DejaConfig.builder());
    byte[] image = storeAndExpire();
    origin.failure = ShortLivedOrigin.Failure.THROWS;

    HttpResponse<byte[]> r = http.get(PATH);

    assertEquals(200, r.statusCode());
    assertArrayEquals(image, r.body());
    assertTrue(r.headers().firstValue("Cache-Status").orElse("").contains("fwd-status=500"));
  }

  @Test
  void givenAnExpiredEntry_whenTheOriginRecovered_thenItsNewAnswerIsServedAndStored()
      throws Exception {
    start(DejaConfig.builder());
    storeAndExpire();

    HttpResponse<byte[]> r = http.get(PATH);

    assertEquals(200, r.statusCode());
    String status = r.headers().firstValue("Cache-Status").orElse("");
    assertTrue(status.contains("fwd=uri-miss") && status.contains("stored"), status);
    assertEquals(2, origin.calls(), "a healthy origin is asked, never answered with stale");
  }

  @Test
  void givenStaleIfErrorOff_whenTheOriginFails_thenTheClientGetsTheError() throws Exception {
    start(DejaConfig.builder().staleIfError(Duration.ZERO));
    storeAndExpire();
    origin.failure = ShortLivedOrigin.Failure.STATUS_503;

    HttpResponse<byte[]> r = http.get(PATH);

    assertEquals(503, r.statusCode());
    assertFalse(r.headers().firstValue("Cache-Status").orElse("").contains("stale"));
  }

  @Test
  void givenTheOriginsOwnShorterStaleIfError_whenItHasPassed_thenTheErrorIsPassedOn()
      throws Exception {
    start(DejaConfig.builder());
    origin.cacheControl = "public, max-age=1, stale-if-error=0";
    storeAndExpire();
    origin.failure = ShortLivedOrigin.Failure.STATUS_503;

    HttpResponse<byte[]> r = http.get(PATH);

    assertEquals(503, r.statusCode(), "the origin allowed 0 s of stale use");
  }
}
