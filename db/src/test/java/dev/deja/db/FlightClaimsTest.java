package dev.deja.db;

import static dev.deja.db.Fixtures.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.FlightClaims.Claim;
import dev.deja.db.FlightClaims.State;
import dev.deja.db.testing.TestDatabase;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue #15: the claims behind single flight across instances, on a real PostgreSQL. */
class FlightClaimsTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(FlightClaimsTest.class);
  static DejaDatabase db;
  static FlightClaims claims;

  @BeforeAll
  static void open() {
    db = DejaDatabase.open(SCHEMA.config());
    claims = db.flightClaims();
  }

  @AfterAll
  static void close() {
    db.close();
    SCHEMA.drop();
  }

  @Test
  void givenAFreeKey_theFirstClaimLeads_andASecondIsRefusedWhileItLives() {
    String key = key("claim-once");
    Optional<Claim> first = claims.claim(key, Duration.ofSeconds(30));
    Optional<Claim> second = claims.claim(key, Duration.ofSeconds(30));
    assertTrue(first.isPresent(), "the first claim leads");
    assertTrue(second.isEmpty(), "a live claim is not taken twice");
    assertEquals(State.PENDING, claims.state(key));
  }

  @Test
  void givenTheLeaderStored_waitersSeeStored_andAnEmptyLandingFreesTheKey() {
    String stored = key("claim-stored");
    claims.land(claims.claim(stored, Duration.ofSeconds(30)).orElseThrow(), true);
    assertEquals(State.STORED, claims.state(stored), "waiters read the entry");

    String failed = key("claim-failed");
    claims.land(claims.claim(failed, Duration.ofSeconds(30)).orElseThrow(), false);
    assertEquals(State.GONE, claims.state(failed), "waiters go to the origin themselves");
    assertTrue(claims.claim(failed, Duration.ofSeconds(30)).isPresent(),
        "and one of them may claim it again");
  }

  @Test
  void givenACrashedLeader_itsClaimBlocksTheKeyOnlyUntilItExpires() throws Exception {
    String key = key("claim-crashed");
    Claim crashed = claims.claim(key, Duration.ofMillis(100)).orElseThrow();
    Thread.sleep(200);
    assertEquals(State.GONE, claims.state(key), "an expired claim is no claim");
    Claim next = claims.claim(key, Duration.ofSeconds(30)).orElseThrow();

    claims.land(crashed, false); // the old holder wakes up late
    assertEquals(State.PENDING, claims.state(key), "a late landing leaves the new claim alone");
    claims.land(next, true);
    assertEquals(State.STORED, claims.state(key));
  }

  @Test
  void givenExpiredClaims_aStoredLandingSweepsThem_soTheTableDoesNotGrowWithEveryKey()
      throws Exception {
    for (int i = 0; i < 20; i++) {
      claims.claim(key("expired-" + i), Duration.ofMillis(1));
    }
    Thread.sleep(50);
    // A freshly opened instance sweeps at its first stored landing, then every SWEEP_EVERY.
    try (DejaDatabase instance = DejaDatabase.open(SCHEMA.config())) {
      FlightClaims fresh = instance.flightClaims();
      fresh.land(fresh.claim(key("sweeper"), Duration.ofSeconds(30)).orElseThrow(), true);
    }
    assertEquals(0, SCHEMA.queryLong(
        "SELECT count(*) FROM flight_claim WHERE expires_at < now() - interval '1 second'"),
        "expired claims are swept");
  }

  @Test
  void givenNoClaim_theStateIsGone() {
    assertEquals(State.GONE, claims.state(key("never-claimed")));
  }
}
