package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.filter.request.ParsedRequest;
import dev.deja.filter.testing.CacheHarness;
import dev.deja.filter.testing.FilterHarness;
import dev.deja.filter.testing.TestOrigin;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An Error thrown by the application mid-body (an OutOfMemoryError while rendering, say) on a
 * synchronous chain: the answer is cut, so nothing of it may be stored, and the flight must land
 * so the next request for the prompt is not held up. (The proxy's asynchronous failures are
 * covered end to end by the server's FaultInjectionTest.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlightReleaseTest {

  static final String PATH = "/prompt/a%20crashing%20renderer?seed=3&width=64&height=64";

  /** Sends half the image, without a length, then fails the way the JVM does when memory runs out. */
  static final class CrashingOrigin extends TestOrigin {
    private static final long serialVersionUID = 1L;
    volatile boolean crash = true;

    CrashingOrigin() {
      super(0);
    }

    @Override
    protected void respond(HttpServletRequest request, HttpServletResponse response, byte[] png)
        throws IOException {
      if (!crash) {
        super.respond(request, response, png);
        return;
      }
      response.setContentType("image/png");
      response.getOutputStream().write(png, 0, png.length / 2);
      response.flushBuffer();
      throw new OutOfMemoryError("simulated: Java heap space");
    }
  }

  private final CrashingOrigin origin = new CrashingOrigin();
  private CacheHarness harness;
  private DejaCache cache;
  private FilterHarness http;

  @BeforeEach
  void start() throws Exception {
    harness = CacheHarness.exactOnly(
        DejaConfig.builder().singleFlightTimeout(Duration.ofSeconds(60)), origin);
    cache = harness.cache;
    http = harness.http;
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  @Test
  void anErrorMidBodyStoresNothingAndLandsTheFlight() throws Exception {
    boolean cut;
    try {
      cut = http.get(PATH).statusCode() != 200;
    } catch (IOException e) {
      // The chunked body never got its last chunk: the connection was aborted.
      cut = true;
    }
    assertTrue(cut, "the client must not get what looks like a whole image");
    assertEquals(0, cache.flights().inFlight(), "the flight landed");

    for (int i = 0; i < 200 && cache.storeQueueDepth() > 0; i++) {
      Thread.sleep(10);
    }
    String key = ((ParsedRequest.Cacheable) cache.parse(
        "GET", PATH.substring(0, PATH.indexOf('?')), PATH.substring(PATH.indexOf('?') + 1), null))
        .key().value();
    assertFalse(harness.store.findExact(key).isPresent(), "half an image was stored");

    origin.crash = false;
    long began = System.nanoTime();
    HttpResponse<byte[]> next = http.get(PATH);
    assertEquals(200, next.statusCode());
    assertEquals("MISS", next.headers().firstValue("X-Cache").orElse(null));
    assertTrue(System.nanoTime() - began < Duration.ofSeconds(5).toNanos(), "the next one waited");
  }
}
