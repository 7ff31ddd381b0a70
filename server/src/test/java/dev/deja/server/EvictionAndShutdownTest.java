package dev.deja.server;

import dev.deja.db.Coordination;
import dev.deja.filter.store.CacheMaintainer;
import static dev.deja.server.TestServers.await;
import static dev.deja.server.TestServers.get;
import static dev.deja.server.TestServers.imagePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.DejaDatabase;
import dev.deja.db.testing.TestDatabase;
import dev.deja.db.CacheStore;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The background eviction job and the graceful stop, each on its own server and schema. */
class EvictionAndShutdownTest {

  static final TestDatabase.Schema EVICTION =
      TestDatabase.isolatedSchema(EvictionAndShutdownTest.class);
  static final TestDatabase.Schema SHUTDOWN =
      TestDatabase.isolatedSchema(EvictionAndShutdownTest.class);

  static final TestDatabase.Schema INDEXES =
      TestDatabase.isolatedSchema(EvictionAndShutdownTest.class);

  @AfterAll
  static void dropSchemas() {
    EVICTION.drop();
    SHUTDOWN.drop();
    INDEXES.drop();
  }

  /**
   * The maintenance job asks for the partial-index pass at start, not an interval later. Visible from
   * outside: with no partition large enough to need an index, that pass drops the global HNSW
   * index (docs/DATABASE.md, partial HNSW indexes).
   */
  @Test
  void start_runsThePartialIndexPass_whichDropsTheUnneededGlobalIndex() throws Exception {
    String global = "SELECT count(*) FROM pg_indexes WHERE schemaname = '" + INDEXES.name()
        + "' AND indexname = 'cache_entry_embedding_hnsw'";
    try (DejaServer server = TestServers.start(INDEXES, "--set", "semantic=false")) {
      await("the global index dropped", Duration.ofSeconds(20),
          () -> {
            try {
              return INDEXES.queryLong(global) == 0;
            } catch (java.sql.SQLException e) {
              throw new IllegalStateException(e);
            }
          });
    }
  }

  @Test
  void evictionUnderASmallByteBudget_keepsTheMostRecentlyHitEntry() throws Exception {
    try (DejaServer server = TestServers.start(EVICTION, "--set", "semantic=false")) {
      CacheStore store = server.cache().store();
      String query = "seed=1&width=96&height=96";
      List<String> paths = List.of(
          imagePath("first image", query), imagePath("second image", query),
          imagePath("third image", query));
      List<String> keys = new ArrayList<>();
      List<Integer> sizes = new ArrayList<>();
      for (String p : paths) {
        HttpResponse<byte[]> r = get(server, p);
        keys.add(r.headers().firstValue("X-Cache-Key").orElseThrow());
        sizes.add(r.body().length);
        Thread.sleep(20); // distinct creation times
      }
      await("three entries stored", Duration.ofSeconds(20),
          () -> store.stats().entries() == 3);
      // Hit the oldest entry: it becomes the most recently used one.
      assertEquals("HIT", get(server, paths.get(0)).headers().firstValue("X-Cache").orElse(""));
      Thread.sleep(1600); // hits reach the database in batches, every second

      try (CacheMaintainer maintainer = new CacheMaintainer(store, Coordination.alone(),
          server.cache().coherence(), Duration.ofDays(1), (long) sizes.get(0) + 1,
          Duration.ofHours(1))) {
        CacheMaintainer.Result result = maintainer.runOnce().orElseThrow();
        assertEquals(2, result.evicted(), result.toString());
      }
      assertTrue(store.findExact(keys.get(0)).isPresent(), "most recently hit is kept");
      assertFalse(store.findExact(keys.get(1)).isPresent());
      assertFalse(store.findExact(keys.get(2)).isPresent());
      assertEquals(1, store.stats().blobs());
      // The in-memory tier forgot the evicted entries too.
      assertEquals("MISS", get(server, paths.get(1)).headers().firstValue("X-Cache").orElse(""));
      assertEquals("HIT", get(server, paths.get(0)).headers().firstValue("X-Cache").orElse(""));
    }
  }

  @Test
  void gracefulStop_finishesInFlightRequests_andLosesNoAcceptedStore() throws Exception {
    DejaServer server = TestServers.start(SHUTDOWN, "--demo-delay-ms", "400");
    int n = 8;
    List<CompletableFuture<HttpResponse<byte[]>>> inFlight = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpRequest request = HttpRequest.newBuilder(
              TestServers.uri(server, imagePath("shutdown prompt number " + i,
                  "seed=" + i + "&width=64&height=64")))
          .timeout(Duration.ofSeconds(30)).build();
      inFlight.add(TestServers.HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
    }
    await("all requests at the origin", Duration.ofSeconds(10),
        () -> server.demoOrigin().calls() == n);
    server.stop();

    List<String> keys = new ArrayList<>();
    for (CompletableFuture<HttpResponse<byte[]>> f : inFlight) {
      HttpResponse<byte[]> r = f.get();
      assertEquals(200, r.statusCode(), "in-flight requests complete during a graceful stop");
      assertEquals("MISS", r.headers().firstValue("X-Cache").orElse(""));
      keys.add(r.headers().firstValue("X-Cache-Key").orElseThrow());
    }
    try (DejaDatabase db = DejaDatabase.open(SHUTDOWN.config())) {
      for (String key : keys) {
        assertTrue(db.repository().findExact(key).isPresent(), "stored before exit: " + key);
      }
    }
  }
}
