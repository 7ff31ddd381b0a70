package dev.deja.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TcpRelay;
import dev.deja.db.testing.TestDatabase;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The instances' channel and lock over a real PostgreSQL, including one that is down at start. */
class CoordinationTest {

  private final TestDatabase.Schema schema = TestDatabase.isolatedSchema(getClass());

  @AfterEach
  void drop() {
    schema.drop();
  }

  /** Collects what a subscriber hears. */
  private static final class Heard implements Coordination.Subscriber {
    final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();

    @Override
    public void onInvalidation(Invalidation message) {
      events.add(message);
    }

    @Override
    public void onPossibleLoss(String reason) {
      events.add("loss");
    }
  }

  private static void awaitSubscribed(Coordination c) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!c.subscribed()) {
      assertTrue(System.nanoTime() < deadline, "not subscribed in time");
      Thread.sleep(20);
    }
  }

  @Test
  void givenTheDatabaseIsDownAtStart_theListenerSubscribesOnceItIsBack_andPublishingFailsMeanwhile()
      throws Exception {
    try (TcpRelay relay = TcpRelay.toTestDatabase()) {
      relay.cut();
      DatabaseConfig viaRelay = schema.builder().url(relay.jdbcUrl())
          .embeddingDimension(TestDatabase.DEFAULT_DIMENSION).build();
      Heard heard = new Heard();
      try (Coordination late = Coordination.postgres(viaRelay);
          Coordination other = Coordination.postgres(schema.config())) {
        late.subscribe(heard);
        Thread.sleep(300);
        assertFalse(late.subscribed());
        assertThrows(CacheUnavailableException.class,
            () -> late.publish(new Invalidation.Everything()));
        assertEquals(Optional.empty(), late.tryLead(), "no lock without a database");

        relay.restore();
        awaitSubscribed(late);
        other.publish(new Invalidation.Keys(List.of("k1")));

        assertEquals("loss", heard.events.poll(5, TimeUnit.SECONDS),
            "subscribed late: whatever was held meanwhile may be stale");
        assertEquals(new Invalidation.Keys(List.of("k1")), heard.events.poll(5, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void oneLockPerSchema_heldUntilTheLeaseIsClosed() throws Exception {
    try (Coordination a = Coordination.postgres(schema.config());
        Coordination b = Coordination.postgres(schema.config())) {
      Coordination.Lease lease = a.tryLead().orElseThrow();
      assertEquals(Optional.empty(), b.tryLead());
      lease.close();
      b.tryLead().orElseThrow().close();
    }
  }
}
