package dev.deja.filter;

import static dev.deja.filter.testing.Instance.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.PurgeCriteria;
import dev.deja.db.internal.PostgresCoordination;
import dev.deja.db.testing.TestDatabase;
import dev.deja.filter.testing.Instance;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #15, point 1: several instances on one database, each with its own in-memory tier. A
 * delete, a purge or an eviction on one of them is applied by all of them within a second; a lost
 * listening connection drops the tier; a lost message is bounded by {@code hotCacheLifetime}.
 * Every instance here is a real cache (own pools, own listening connection) behind a real Jetty.
 */
class ManyInstancesTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(ManyInstancesTest.class);
  private static final Duration COHERENCE = Duration.ofSeconds(1);

  private final List<Instance> instances = new ArrayList<>();

  @AfterEach
  void stopInstances() throws Exception {
    for (Instance i : instances) {
      i.close();
    }
  }

  @AfterAll
  static void dropSchema() {
    SCHEMA.drop();
  }

  private Instance start(String... settings) throws Exception {
    Instance i = Instance.start(SCHEMA, settings);
    instances.add(i);
    return i;
  }

  private static String path(String prompt, int seed) {
    return "/prompt/" + prompt.replace(" ", "%20") + "?seed=" + seed;
  }

  /**
   * The first instance draws the image (a miss, stored), every other serves it once from the
   * database: then all of them hold it in memory. Returns its key.
   */
  private static String everyoneHolds(String path, Instance... all) throws Exception {
    HttpResponse<byte[]> miss = all[0].get(path);
    assertEquals("MISS", miss.headers().firstValue("X-Cache").orElse(""));
    String key = miss.headers().firstValue("X-Cache-Key").orElseThrow();
    await("the entry stored", Duration.ofSeconds(20), () -> Instance.stored(all[0].cache, key));
    for (Instance i : Arrays.asList(all).subList(1, all.length)) {
      assertEquals("HIT", i.xCache(path), "served from the database, then kept in memory");
    }
    for (Instance i : all) {
      assertNotNull(i.cache.hotImage(key), "held in memory");
    }
    return key;
  }

  private static void awaitGoneEverywhere(String key, Instance... others)
      throws InterruptedException {
    await(key + " gone from every in-memory tier", COHERENCE, () -> {
      for (Instance i : others) {
        if (i.cache.hotImage(key) != null) {
          return false;
        }
      }
      return true;
    });
  }

  @Test
  void givenThreeInstancesHoldingAnImage_whenADeletesIt_thenBAndCStopServingItWithinOneSecond()
      throws Exception {
    Instance a = start();
    Instance b = start();
    Instance c = start();
    String path = path("a lighthouse at dusk", 1);
    String key = everyoneHolds(path, a, b, c);

    assertTrue(a.cache.delete(key));

    assertNull(a.cache.hotImage(key), "the deleting instance forgets at once, not by its echo");
    awaitGoneEverywhere(key, b, c);
    assertEquals("MISS", c.xCache(path));
  }

  @Test
  void givenThreeInstances_whenAPurgesABucket_thenOneMessageDropsItEverywhereWithinOneSecond()
      throws Exception {
    Instance a = start();
    Instance b = start();
    Instance c = start();
    String first = everyoneHolds(path("a red kite", 7), a, b, c);
    String second = everyoneHolds(path("a blue kite", 7), a, b, c);
    long bHeard = b.cache.coherence().received();
    long cHeard = c.cache.coherence().received();

    int deleted = a.cache.purge(new PurgeCriteria(null, "64x64_seed7", null));

    assertEquals(2, deleted);
    awaitGoneEverywhere(first, b, c);
    awaitGoneEverywhere(second, b, c);
    Thread.sleep(200); // anything else on its way would arrive by now
    assertEquals(bHeard + 1, b.cache.coherence().received(), "a purge is one message");
    assertEquals(cHeard + 1, c.cache.coherence().received(), "a purge is one message");
    assertEquals("MISS", b.xCache(path("a red kite", 7)));
  }

  @Test
  void givenThreeInstances_whenAEvictsOverItsByteBudget_thenBAndCStopServingWithinOneSecond()
      throws Exception {
    Instance a = start("maxCacheBytes", "1", "maintenanceInterval", "1h");
    Instance b = start("maintenanceInterval", "1h");
    Instance c = start("maintenanceInterval", "1h");
    String key = everyoneHolds(path("a paper lantern", 3), a, b, c);

    var pass = a.cache.maintenance().runOnce().orElseThrow();

    assertTrue(pass.evicted() >= 1, pass.toString());
    assertNull(a.cache.hotImage(key));
    awaitGoneEverywhere(key, b, c);
  }

  /**
   * The figure the issue asks for: from the call to {@code delete} on A (its commit, then the
   * notification) to the message applied on B and on C. Printed for docs; bounded by the target.
   */
  @Test
  void notificationLatency_fromDeleteOnAToAppliedOnBAndC_isWellUnderOneSecond() throws Exception {
    Instance a = start();
    Instance b = start();
    Instance c = start();
    int n = 200;
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long bBefore = b.cache.coherence().received();
      long cBefore = c.cache.coherence().received();
      long started = System.nanoTime();
      a.cache.delete("latency-probe-" + i);
      boolean bDone = false;
      boolean cDone = false;
      long deadline = started + Duration.ofSeconds(5).toNanos();
      while (!(bDone && cDone)) {
        long now = System.nanoTime();
        assertTrue(now < deadline, "message " + i + " not applied within 5 s");
        if (!bDone && b.cache.coherence().received() > bBefore) {
          bDone = true;
          micros.add((now - started) / 1000);
        }
        if (!cDone && c.cache.coherence().received() > cBefore) {
          cDone = true;
          micros.add((now - started) / 1000);
        }
        LockSupport.parkNanos(20_000);
      }
    }
    micros.sort(null);
    long p50 = micros.get(micros.size() / 2);
    long p99 = micros.get((int) Math.ceil(micros.size() * 0.99) - 1);
    long max = micros.get(micros.size() - 1);
    System.out.printf(Locale.ROOT,
        "notification latency (delete on A -> applied on B and C), %d deliveries:"
            + " p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        micros.size(), p50 / 1000.0, p99 / 1000.0, max / 1000.0);
    assertTrue(p99 < COHERENCE.toNanos() / 1000, "p99 " + p99 + " us");
  }

  @Test
  void givenAListenerWhoseConnectionIsKilled_itDropsItsHotTier_reconnects_andHearsAgain()
      throws Exception {
    Instance a = start();
    Instance b = start();
    String first = everyoneHolds(path("a glass teapot", 11), a, b);
    String second = everyoneHolds(path("a copper teapot", 11), a, b);
    long drops = b.cache.coherence().drops();

    assertTrue(Instance.terminate(SCHEMA, PostgresCoordination.LISTEN) >= 2, "both instances' listening connections killed");

    await("the hot tier dropped", Duration.ofSeconds(2), () -> b.cache.hotImage(first) == null);
    assertNull(b.cache.hotImage(second));
    assertTrue(b.cache.coherence().drops() > drops);
    await("subscribed again", Duration.ofSeconds(5), () -> b.cache.coherence().subscribed());

    assertEquals("HIT", b.xCache(path("a copper teapot", 11)), "from the database, held again");
    assertNotNull(b.cache.hotImage(second));
    a.cache.delete(second);
    awaitGoneEverywhere(second, b);
  }

  /**
   * A message can be lost for good (the sender died between its commit and its notification; here:
   * a row deleted behind Deja's back). The in-memory tier's lifetime bounds how long another
   * instance still serves the image.
   */
  @Test
  void givenAnInvalidationIsLost_theHotTierLifetimeBoundsHowLongTheImageIsStillServed()
      throws Exception {
    Instance a = start("hotCacheLifetime", "1s");
    Instance b = start("hotCacheLifetime", "1s");
    String path = path("a wooden sled", 5);
    String key = everyoneHolds(path, a, b);
    long held = System.nanoTime();

    try (Connection conn = TestDatabase.connect();
        PreparedStatement delete = conn.prepareStatement(
            "DELETE FROM " + SCHEMA.name() + ".cache_entry WHERE cache_key = ?")) {
      delete.setString(1, key);
      assertEquals(1, delete.executeUpdate());
    }
    boolean staleMeanwhile = b.cache.hotImage(key) != null;
    long checkedAt = (System.nanoTime() - held) / 1_000_000;

    await("the image gone from memory", Duration.ofMillis(1500),
        () -> b.cache.hotImage(key) == null);
    long after = (System.nanoTime() - held) / 1_000_000;
    assertEquals("MISS", b.xCache(path), "the database no longer has it either");
    assertTrue(staleMeanwhile || checkedAt >= 1000,
        "without a message, only the lifetime clears it");
    assertTrue(after <= 1500, "bounded by hotCacheLifetime: " + after + " ms");
  }

  @Test
  void givenADeleteWhileOneInstanceIsStopped_theOthersStillApplyIt() throws Exception {
    Instance a = start();
    Instance b = start();
    Instance c = start();
    String key = everyoneHolds(path("a tin robot", 13), a, b, c);
    instances.remove(c);
    c.close();

    a.cache.delete(key);

    awaitGoneEverywhere(key, b);
    assertFalse(a.cache.store().findExact(key).isPresent());
  }

}
