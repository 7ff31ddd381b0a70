package dev.deja.filter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.EntrySource;
import dev.deja.db.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SingleFlightTest {

  static final Duration MAX_AGE = Duration.ofSeconds(120);

  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final SingleFlight flights = new SingleFlight(4, MAX_AGE, now::get);

  static StoredResponse image(String key) {
    return new StoredResponse(key, 200, "image/png", Map.of(), new byte[] {1, 2, 3},
        Instant.EPOCH, null, EntrySource.ORIGIN, "a prompt", null, null, null, null);
  }

  @Test
  void theFirstJoinLeadsAndTheNextOnesFollowTheSameFlight() {
    SingleFlight.Ticket leader = flights.join("k");
    SingleFlight.Ticket follower = flights.join("k");
    assertTrue(leader.leader());
    assertFalse(follower.leader());
    assertSame(leader.flight(), follower.flight());
    assertEquals(1, flights.inFlight());
  }

  @Test
  void landingHandsFollowersTheImageAndFreesTheKey() throws Exception {
    SingleFlight.Ticket leader = flights.join("k");
    SingleFlight.Ticket follower = flights.join("k");
    StoredResponse image = image("k");
    flights.land(leader, image);
    assertSame(image, follower.flight().get());
    assertEquals(0, flights.inFlight());
    assertTrue(flights.join("k").leader(), "the next miss leads a new flight");
  }

  @Test
  void landingTwiceOrByAFollowerChangesNothing() throws Exception {
    SingleFlight.Ticket leader = flights.join("k");
    SingleFlight.Ticket follower = flights.join("k");
    flights.land(follower, image("k"));
    assertEquals(1, flights.inFlight(), "only the leader lands a flight");
    flights.land(leader, null);
    flights.land(leader, image("k"));
    assertNull(follower.flight().get(), "the first landing counts");
    assertEquals(0, flights.inFlight());
  }

  @Test
  void aFlightYoungerThanTheBoundStillCapturesRequests() {
    flights.join("k");
    now.addAndGet(MAX_AGE.toNanos() - 1);
    assertFalse(flights.join("k").leader());
    assertEquals(0, flights.abandoned());
  }

  @Test
  void aFlightNeverLandedStopsCapturingRequestsOnceOlderThanTheBound() throws Exception {
    SingleFlight.Ticket lost = flights.join("k");
    SingleFlight.Ticket stuck = flights.join("k");
    now.addAndGet(MAX_AGE.toNanos());

    SingleFlight.Ticket next = flights.join("k");
    assertTrue(next.leader(), "a new request leads instead of waiting on a lost flight");
    assertNotSame(lost.flight(), next.flight());
    assertNull(stuck.flight().get(), "followers of the lost flight are let go");
    assertEquals(1, flights.abandoned());
    assertEquals(1, flights.inFlight());

    // The lost leader turning up late must not end the flight that replaced it.
    flights.land(lost, image("k"));
    assertEquals(1, flights.inFlight());
    assertFalse(flights.join("k").leader());
    flights.land(next, null);
    assertEquals(0, flights.inFlight());
  }

  @Test
  void waitingPlacesAreBounded() {
    for (int i = 0; i < 4; i++) {
      assertTrue(flights.startWaiting());
    }
    assertFalse(flights.startWaiting());
    flights.stopWaiting();
    assertTrue(flights.startWaiting());
  }

  @Test
  void flightsForDifferentKeysAreIndependent() {
    assertTrue(flights.join("a").leader());
    assertTrue(flights.join("b").leader());
    assertEquals(2, flights.inFlight());
  }
}
