package dev.deja.db.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.Coordination;
import dev.deja.db.DatabaseConfig;
import dev.deja.db.testing.TcpRelay;
import dev.deja.db.testing.TestDatabase;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * attack15: a maintenance leader that freezes (a paused VM or container, a stalled network)
 * keeps its lock session open; the lock lived as long as that session, and every other instance
 * skipped its maintenance passes meanwhile (no expiry, no byte budget). The lock session now
 * beats, and the server ends one that falls silent.
 */
class LeaderLeaseTest {

  private static final Duration BEAT = Duration.ofMillis(300);

  private final TestDatabase.Schema schema = TestDatabase.isolatedSchema(getClass());

  @AfterEach
  void drop() {
    schema.drop();
  }

  @Test
  void givenALeaderWhoseConnectionFallsSilent_anotherInstanceLeadsWithinThreeBeats()
      throws Exception {
    try (TcpRelay relay = TcpRelay.toTestDatabase()) {
      // A long store budget: the frozen leader's own socket timeout (its budget plus 1 s) must
      // not be what ends its session, since a frozen process runs no timer at all.
      DatabaseConfig viaRelay = schema.builder().url(relay.jdbcUrl())
          .storeTimeout(Duration.ofSeconds(60))
          .embeddingDimension(TestDatabase.DEFAULT_DIMENSION).build();
      try (PostgresCoordination frozen = new PostgresCoordination(viaRelay, BEAT);
          PostgresCoordination other = new PostgresCoordination(schema.config(), BEAT)) {
        frozen.tryLead().orElseThrow(); // never closed: the leader froze mid-pass
        assertEquals(Optional.empty(), other.tryLead());

        relay.goSilent();
        long frozenAt = System.nanoTime();
        Optional<Coordination.Lease> next = Optional.empty();
        while (next.isEmpty()) {
          assertTrue(System.nanoTime() - frozenAt < Duration.ofSeconds(15).toNanos(),
              "the frozen leader's lock is still held");
          Thread.sleep(100);
          next = other.tryLead();
        }
        next.get().close();
        long ms = (System.nanoTime() - frozenAt) / 1_000_000;
        assertTrue(ms >= BEAT.toMillis() * PostgresCoordination.SILENT_BEATS - 100,
            "released before the session was silent for three beats: " + ms + " ms");
      }
    }
  }

  @Test
  void givenALeaderThatIsAliveButIdle_itsLockOutlivesManyBeats() throws Exception {
    try (PostgresCoordination leader = new PostgresCoordination(schema.config(), BEAT);
        PostgresCoordination other = new PostgresCoordination(schema.config(), BEAT)) {
      Coordination.Lease lease = leader.tryLead().orElseThrow();
      // A long pass: its statements run on pool connections, the lock session only beats.
      Thread.sleep(BEAT.toMillis() * PostgresCoordination.SILENT_BEATS * 3);
      assertEquals(Optional.empty(), other.tryLead(), "a live leader lost its lock");
      lease.close();
      other.tryLead().orElseThrow().close();
    }
  }
}
