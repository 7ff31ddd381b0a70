package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deja.filter.testing.CacheHarness;
import dev.deja.filter.testing.TestOrigin;
import io.micrometer.core.instrument.Counter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue #15: {@code deja_origin_requests_total} counts every request sent to the origin once, by
 * the status class it answered, and {@code error} when it broke before answering; requests
 * answered from the cache are not counted. Summed over instances it is the origin's load.
 */
class OriginRequestsMetricTest {

  /** Answers the first prompt normally, throws before any byte for "a broken renderer". */
  static final class BreakingOrigin extends TestOrigin {
    private static final long serialVersionUID = 1L;

    BreakingOrigin() {
      super(0);
    }

    @Override
    protected void respond(HttpServletRequest request, HttpServletResponse response, byte[] png)
        throws IOException {
      if (request.getRequestURI().contains("broken")) {
        throw new IllegalStateException("simulated: the renderer crashed before answering");
      }
      super.respond(request, response, png);
    }
  }

  @Test
  void givenAnswersHitsAndABrokenExchange_eachOriginRequestIsCountedOnceByItsOutcome()
      throws Exception {
    try (CacheHarness harness = CacheHarness.exactOnly(
        DejaConfig.builder().singleFlightTimeout(Duration.ofSeconds(10)), new BreakingOrigin())) {
      harness.http.get("/prompt/a%20red%20kite?seed=1&width=64&height=64");
      for (int i = 0; i < 200 && harness.cache.storeQueueDepth() > 0; i++) {
        Thread.sleep(10);
      }
      harness.http.get("/prompt/a%20red%20kite?seed=1&width=64&height=64"); // a hit
      try {
        harness.http.get("/prompt/a%20broken%20renderer?seed=1&width=64&height=64");
      } catch (IOException e) {
        // however the container ends the broken exchange, it is one origin request
      }

      assertEquals(1.0, originRequests(harness, "2xx"), "the drawn image; the hit is not one");
      assertEquals(1.0, originRequests(harness, "error"), "the exchange that broke");
    }
  }

  private static double originRequests(CacheHarness harness, String status) {
    Counter c = harness.cache.metrics().registry().find("deja.origin.requests")
        .tag("status", status).counter();
    return c == null ? 0 : c.count();
  }
}
