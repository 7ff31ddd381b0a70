package dev.deja.db;

import static dev.deja.db.Fixtures.entry;
import static dev.deja.db.Fixtures.key;
import static dev.deja.db.testing.TestVectors.unitVector;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.internal.PostgresCacheRepository;
import dev.deja.db.testing.TestDatabase;
import java.net.ServerSocket;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #15, read replicas: what happens when the read URL is not a lagging replica. The
 * streaming replica itself (lag, a replica stopped mid-run) is exercised with real processes in
 * the server's GatewayClusterTest.
 */
class ReadReplicaTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(ReadReplicaTest.class);

  @AfterAll
  static void drop() {
    SCHEMA.drop();
  }

  @Test
  void givenAReadUrlNothingAnswersOn_theDatabaseOpens_andLookupsReadThePrimary() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    DatabaseConfig config = SCHEMA.builder().embeddingDimension(TestDatabase.DEFAULT_DIMENSION)
        .readUrl("jdbc:postgresql://127.0.0.1:" + closedPort + "/deja").build();
    try (DejaDatabase db = DejaDatabase.open(config)) {
      CacheStore repo = db.repository();
      float[] v = unitVector(new Random(15), TestDatabase.DEFAULT_DIMENSION);
      repo.store(entry(key("no-replica"), "p", "b", v, null), new byte[] {1}, false);
      assertTrue(repo.findExact(key("no-replica")).isPresent(), "the primary answered");
      assertFalse(((PostgresCacheRepository) repo).readsReplica());
    }
  }

  @Test
  void givenAReadUrlOnAServerNotInRecovery_lookupsReadIt_sinceItCannotLag() {
    // A multi-host read URL may land on the primary itself: that is never stale.
    DatabaseConfig config = SCHEMA.builder().embeddingDimension(TestDatabase.DEFAULT_DIMENSION)
        .readUrl(TestDatabase.settings().url()).build();
    try (DejaDatabase db = DejaDatabase.open(config)) {
      CacheStore repo = db.repository();
      float[] v = unitVector(new Random(16), TestDatabase.DEFAULT_DIMENSION);
      repo.store(entry(key("self-replica"), "p", "b", v, null), new byte[] {1}, false);
      assertTrue(((PostgresCacheRepository) repo).readsReplica());
      assertTrue(repo.findExact(key("self-replica")).isPresent());
    }
  }
}
