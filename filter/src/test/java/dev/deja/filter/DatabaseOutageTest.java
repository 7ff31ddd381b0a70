package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.filter.embed.Embedder;
import dev.deja.filter.embed.Embedders;
import dev.deja.filter.testing.CacheHarness;
import dev.deja.filter.testing.FilterHarness;
import dev.deja.filter.testing.TestOrigin;
import dev.deja.filter.testing.TestStores;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cache fails open: a database outage never fails a client, and recovery needs no restart. */
class DatabaseOutageTest {

  private Embedder embedder;
  private TestStores.Store store;
  private CacheHarness harness;
  private FilterHarness http;

  @BeforeEach
  void start() throws Exception {
    embedder = Embedders.createDefault();
    store = TestStores.open(getClass(), embedder.dimension());
    DejaConfig config =
        DejaConfig.builder()
            .breakerFailures(2)
            .breakerOpen(Duration.ofMillis(300))
            .hotCacheBytes(0) // every lookup must reach the database
            .build();
    harness = CacheHarness.on(store, config, embedder, new TestOrigin(10));
    http = harness.http;
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
    embedder.close();
  }

  private HttpResponse<byte[]> get(int i) throws Exception {
    return http.get("/prompt/a%20lantern%20number%20" + i + "?seed=1&width=32&height=32");
  }

  @Test
  void databaseCutMidRunEveryRequestStillAnsweredThenCachingResumes() throws Exception {
    assertEquals("MISS", get(0).headers().firstValue("X-Cache").orElseThrow());
    Thread.sleep(200);
    assertEquals("HIT", get(0).headers().firstValue("X-Cache").orElseThrow());

    store.down(true);
    for (int i = 1; i <= 10; i++) {
      long started = System.nanoTime();
      HttpResponse<byte[]> r = get(i);
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertEquals(200, r.statusCode());
      String status = r.headers().firstValue("Cache-Status").orElseThrow();
      assertTrue(status.startsWith("deja; fwd=miss; detail=cache-unavailable"), status);
      assertTrue(millis < 2_000, "request " + i + " took " + millis + " ms while the db was down");
    }

    store.down(false);
    Thread.sleep(400); // the breaker's open period
    get(100); // the probe, which closes the breaker
    Thread.sleep(300); // background store
    HttpResponse<byte[]> again = get(100);
    assertEquals("HIT", again.headers().firstValue("X-Cache").orElseThrow());
  }
}
