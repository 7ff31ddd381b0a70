package dev.deja.filter.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.DejaDatabase;
import dev.deja.db.FlightClaims;
import dev.deja.db.NewEntry;
import dev.deja.db.StoredRequest;
import dev.deja.db.StoredResponse;
import java.nio.charset.StandardCharsets;
import dev.deja.db.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #15: single flight across instances, as one instance's local leader sees it, with another
 * instance's claims played on the same real PostgreSQL.
 */
class ClusterFlightTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(ClusterFlightTest.class);
  static final byte[] IMAGE = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
  static DejaDatabase db;
  /** The other instance: it claims and stores through its own handle on the same tables. */
  static FlightClaims other;

  @BeforeAll
  static void open() {
    db = DejaDatabase.open(SCHEMA.config());
    other = db.flightClaims();
  }

  @AfterAll
  static void close() {
    db.close();
    SCHEMA.drop();
  }

  private static ClusterFlight instance(Duration wait) {
    return new ClusterFlight(db.flightClaims(), new SingleFlight(8, Duration.ofMinutes(2),
        System::nanoTime), wait, db.repository()::findExact, () -> true, System::nanoTime);
  }

  @Test
  void givenNoOtherInstanceFetches_theLocalLeaderClaimsTheKey() {
    ClusterFlight.Turn turn = instance(Duration.ofSeconds(5)).take(key("k-free"), image -> true);
    assertNotNull(assertInstanceOf(ClusterFlight.Fetch.class, turn).claim(), "it holds a claim");
  }

  @Test
  void givenAnotherInstanceFetches_theWaiterServesTheImageItStores() throws Exception {
    FlightClaims.Claim held = other.claim(key("k-shared"), Duration.ofSeconds(30)).orElseThrow();
    CompletableFuture<Void> otherInstance = CompletableFuture.runAsync(() -> {
      sleep(300); // the origin draws
      db.repository().store(entry(key("k-shared")), IMAGE, false);
      other.land(held, true);
    });
    long started = System.nanoTime();
    ClusterFlight flight = instance(Duration.ofSeconds(5));
    ClusterFlight.Turn turn = flight.take(key("k-shared"), image -> true);
    otherInstance.get(5, TimeUnit.SECONDS);
    ClusterFlight.Served served = assertInstanceOf(ClusterFlight.Served.class, turn);
    assertArrayEquals(IMAGE, served.image().body());
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "no long wait");
    assertEquals(1, flight.served());
  }

  @Test
  void givenTheOtherInstanceStoresNothing_theWaiterClaimsTheKeyItself() throws Exception {
    FlightClaims.Claim held = other.claim(key("k-failed"), Duration.ofSeconds(30)).orElseThrow();
    CompletableFuture.runAsync(() -> {
      sleep(200);
      other.land(held, false); // the origin failed, or its answer was private
    });
    ClusterFlight.Turn turn = instance(Duration.ofSeconds(5)).take(key("k-failed"), image -> true);
    assertNotNull(assertInstanceOf(ClusterFlight.Fetch.class, turn).claim(),
        "one waiter asks the origin again, holding a new claim");
  }

  @Test
  void givenTheOtherInstanceNeverLands_theWaiterGivesUpAfterTheWait_withoutAClaim() {
    other.claim(key("k-stuck"), Duration.ofSeconds(30)).orElseThrow();
    ClusterFlight flight = instance(Duration.ofMillis(400));
    long started = System.nanoTime();
    ClusterFlight.Turn turn = flight.take(key("k-stuck"), image -> true);
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertNull(assertInstanceOf(ClusterFlight.Fetch.class, turn).claim());
    assertTrue(waitedMs >= 380 && waitedMs < 2_000, "waited " + waitedMs + " ms");
    assertEquals(1, flight.timedOut());
  }

  @Test
  void givenTheDatabaseIsKnownDown_nobodyWaits() {
    other.claim(key("k-down"), Duration.ofSeconds(30)).orElseThrow();
    ClusterFlight flight = new ClusterFlight(db.flightClaims(), new SingleFlight(8,
        Duration.ofMinutes(2), System::nanoTime), Duration.ofSeconds(5),
        db.repository()::findExact, () -> false, System::nanoTime);
    long started = System.nanoTime();
    ClusterFlight.Turn turn = flight.take(key("k-down"), image -> true);
    assertNull(assertInstanceOf(ClusterFlight.Fetch.class, turn).claim());
    assertTrue(System.nanoTime() - started < Duration.ofMillis(100).toNanos());
  }

  private static NewEntry entry(String key) {
    return new NewEntry(key, new StoredRequest("a prompt", "a prompt", "flux", 64, 64, 7L, null,
        null, null, Map.of(), "64x64_seed7"), null, null, 200, "image/png",
        Map.of("Cache-Control", List.of("public, max-age=3600")), null);
  }

  /** Cache keys are SHA-256 hex, as the filter derives them. */
  private static String key(String seed) {
    return StoredResponse.sha256Of(seed.getBytes(StandardCharsets.UTF_8));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
