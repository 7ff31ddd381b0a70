package dev.deja.filter;

import static dev.deja.filter.testing.Instance.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.CacheMaintenance;
import dev.deja.db.Coordination;
import dev.deja.db.internal.PostgresCoordination;
import dev.deja.db.testing.TestDatabase;
import dev.deja.filter.store.CacheMaintainer;
import dev.deja.filter.testing.InitParamApp;
import dev.deja.filter.testing.Instance;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #15, point 4: TTL sweeps, byte-budget eviction and orphan sweeps run inside the cache, so
 * an application with nothing but the filter gets them; with several instances, the one holding
 * the advisory lock does each pass.
 */
class MaintenanceInTheFilterTest {

  private final TestDatabase.Schema schema = TestDatabase.isolatedSchema(getClass());

  @AfterEach
  void dropSchema() {
    schema.drop();
  }

  private Map<String, String> initParams(String... settings) {
    return Instance.settings(schema, settings);
  }

  private long rows() throws Exception {
    return schema.queryLong("SELECT count(*) FROM " + schema.name() + ".cache_entry");
  }

  private void awaitRows(String what, long expected) throws Exception {
    await(what, Duration.ofSeconds(10), () -> {
      try {
        return rows() == expected;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** The origin's images live for a year: an entry's expiry is moved into the past instead. */
  private void expireAll() throws Exception {
    try (Connection conn = TestDatabase.connect();
        PreparedStatement expire = conn.prepareStatement("UPDATE " + schema.name()
            + ".cache_entry SET expires_at = now() - interval '1 minute'")) {
      expire.executeUpdate();
    }
  }

  @Test
  void givenAFilterOnlyApp_expiredEntriesAreSweptByTheFilterItself() throws Exception {
    try (InitParamApp app = new InitParamApp(initParams(
        "staleIfError", "0", "maintenanceInterval", "200ms"))) {
      HttpResponse<byte[]> miss = app.get("/prompt/a%20snow%20globe?seed=2");
      assertTrue(miss.headers().firstValue("Cache-Status").orElse("").contains("stored"));
      awaitRows("the entry stored", 1);

      expireAll();

      awaitRows("the expired entry swept, with no server around", 0);
      assertTrue(app.filter.cache().maintenance().passesLed() > 0);
    }
  }

  @Test
  void givenAFilterOnlyAppWithAByteBudget_entriesBeyondItAreEvictedByTheFilterItself()
      throws Exception {
    try (InitParamApp app = new InitParamApp(initParams(
        "maxCacheBytes", "1", "maintenanceInterval", "200ms"))) {
      String path = "/prompt/a%20clay%20pot?seed=2";
      String key = app.get(path).headers().firstValue("X-Cache-Key").orElseThrow();

      awaitRows("the entry stored", 1);
      awaitRows("the entry evicted: its image is over the budget", 0);
      assertEquals(0, schema.queryLong("SELECT count(*) FROM " + schema.name() + ".image_blob"),
          "and its image with it");
      await("forgotten in memory too", Duration.ofSeconds(2),
          () -> app.filter.cache().hotImage(key) == null);
    }
  }

  @Test
  void givenAFilterOnlyApp_deleteAndPurgeAreOnThePublicApi() throws Exception {
    try (InitParamApp app = new InitParamApp(initParams("maintenanceInterval", "1h"))) {
      DejaCache cache = app.filter.cache();
      String key = app.get("/prompt/a%20wax%20seal?seed=4").headers()
          .firstValue("X-Cache-Key").orElseThrow();
      app.get("/prompt/a%20tin%20cup?seed=4");
      awaitRows("both stored", 2);

      assertTrue(cache.delete(key));
      assertFalse(cache.delete(key), "already gone");
      assertEquals(1, cache.purge(new dev.deja.db.PurgeCriteria(null, "64x64_seed4", null)));
      assertEquals(0, rows());
      assertEquals("MISS", app.get("/prompt/a%20wax%20seal?seed=4").headers()
          .firstValue("X-Cache").orElse(""));
    }
  }

  /**
   * Two instances, one lock: while A is mid-pass B skips its own; when A dies mid-pass (its
   * session killed, as a crashed process would lose it), B's next pass leads and does the work.
   */
  @Test
  void givenAMidPassLeader_theOtherInstanceSkips_andLeadsOnceTheLeaderDies() throws Exception {
    try (Instance a = Instance.start(schema, "maintenanceInterval", "1h");
        Instance b = Instance.start(schema, "maintenanceInterval", "1h");
        Coordination coordinationA = Coordination.postgres(schema.config());
        Coordination coordinationB = Coordination.postgres(schema.config())) {
      for (int i = 0; i < 3; i++) {
        a.get("/prompt/an%20hourglass%20number%20" + i + "?seed=9");
      }
      awaitRows("three entries stored", 3);
      expireAll();

      CountDownLatch midPass = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CacheMaintainer maintainerA = new CacheMaintainer(
          pausingInDeleteExpired(a.cache.store(), midPass, release), coordinationA,
          a.cache.coherence(), Duration.ZERO, null, Duration.ofHours(1));
      CacheMaintainer maintainerB = new CacheMaintainer(b.cache.store(), coordinationB,
          b.cache.coherence(), Duration.ZERO, null, Duration.ofHours(1));
      CompletableFuture<Optional<CacheMaintainer.Result>> passA =
          CompletableFuture.supplyAsync(maintainerA::runOnce);
      assertTrue(midPass.await(10, TimeUnit.SECONDS), "A leads and is mid-pass");

      assertEquals(Optional.empty(), maintainerB.runOnce(), "B skips: A holds the lock");
      assertEquals(3, rows());

      assertEquals(1, Instance.terminate(schema, PostgresCoordination.LEADER),
          "A's session dies mid-pass");
      Optional<CacheMaintainer.Result> passB = maintainerB.runOnce();
      assertTrue(passB.isPresent(), "B leads once A is gone");
      assertEquals(3, passB.get().expired());
      assertEquals(0, rows());
      assertEquals(1, maintainerB.passesSkipped());
      assertEquals(1, maintainerB.passesLed());

      release.countDown();
      assertTrue(passA.get(10, TimeUnit.SECONDS).isPresent(), "A's pass ends without harm");
    }
  }

  /** {@code store}, whose first {@code deleteExpired} waits for {@code release}. */
  private static CacheMaintenance pausingInDeleteExpired(
      CacheMaintenance store, CountDownLatch entered, CountDownLatch release) {
    return (CacheMaintenance) Proxy.newProxyInstance(
        CacheMaintenance.class.getClassLoader(), new Class<?>[] {CacheMaintenance.class},
        (proxy, method, args) -> {
          if (method.getName().equals("deleteExpired") && entered.getCount() > 0) {
            entered.countDown();
            release.await(30, TimeUnit.SECONDS);
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

}
