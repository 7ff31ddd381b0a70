package dev.deja.db;

import static dev.deja.db.Fixtures.entry;
import static dev.deja.db.Fixtures.key;
import static dev.deja.db.testing.TestVectors.unitVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TcpRelay;
import dev.deja.db.testing.TestDatabase;
import java.net.ServerSocket;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A sick database must cost a request well under a second, then the filter goes to origin. */
class FailFastTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(FailFastTest.class);
  static final long FAST_MS = 1000;
  static final byte[] IMG = {9, 9, 9};

  @BeforeAll
  static void migrate() {
    DejaDatabase.open(SCHEMA.config()).close();
  }

  @AfterAll
  static void drop() {
    SCHEMA.drop();
  }

  @Test
  void open_againstPortNothingListensOn_failsFastWithCacheUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    DatabaseConfig config = SCHEMA.builder().embeddingDimension(384)
        .url("jdbc:postgresql://127.0.0.1:" + port + "/deja").build();
    CacheUnavailableException e = assertFast(() -> assertThrows(
        CacheUnavailableException.class, () -> DejaDatabase.open(config)));
    assertEquals("postgresql", e.component());
    assertEquals("open", e.operation());
  }

  @Test
  void lookups_afterDatabaseStops_failFastWithCacheUnavailable() throws Exception {
    try (TcpRelay proxy = proxy(); DejaDatabase db = DejaDatabase.open(viaProxy(proxy))) {
      CacheStore repo = db.repository();
      float[] v = unitVector(new Random(1), 384);
      repo.store(entry(key("ff-stop"), "p", "ff", v, null), IMG, false);
      assertTrue(repo.findExact(key("ff-stop")).isPresent());
      proxy.cut();
      CacheUnavailableException e = assertFast(() -> assertThrows(
          CacheUnavailableException.class, () -> repo.findExact(key("ff-stop"))));
      assertEquals("findExact", e.operation());
      assertFast(() -> assertThrows(CacheUnavailableException.class,
          () -> repo.findNearest("ff", Fixtures.MODEL, Fixtures.EMBEDDER, v, 1)));
    }
  }

  @Test
  void lookups_whenDatabaseStopsAnswering_failFastWithCacheUnavailable() throws Exception {
    try (TcpRelay proxy = proxy(); DejaDatabase db = DejaDatabase.open(viaProxy(proxy))) {
      CacheStore repo = db.repository();
      float[] v = unitVector(new Random(2), 384);
      repo.store(entry(key("ff-silent"), "p", "ffs", v, null), IMG, false);
      proxy.goSilent();
      assertFast(() -> assertThrows(CacheUnavailableException.class,
          () -> repo.findExact(key("ff-silent"))));
      assertFast(() -> assertThrows(CacheUnavailableException.class,
          () -> repo.findNearest("ffs", Fixtures.MODEL, Fixtures.EMBEDDER, v, 1)));
    }
  }

  @Test
  void lookup_blockedInsideDatabase_isCancelledByLookupTimeout() throws Exception {
    try (DejaDatabase db = DejaDatabase.open(SCHEMA.config());
        Connection locker = TestDatabase.connect()) {
      CacheStore repo = db.repository();
      repo.store(entry(key("ff-lock"), "p", "ffl", null, null), IMG, false);
      locker.setAutoCommit(false);
      try (Statement s = locker.createStatement()) {
        s.execute("LOCK TABLE " + SCHEMA.name() + ".cache_entry IN ACCESS EXCLUSIVE MODE");
      }
      CacheUnavailableException e = assertFast(() -> assertThrows(
          CacheUnavailableException.class, () -> repo.findExact(key("ff-lock"))));
      assertTrue(e.getCause() instanceof SQLException, String.valueOf(e.getCause()));
      assertEquals("57014", ((SQLException) e.getCause()).getSQLState(), "query_canceled");
      locker.rollback();
      assertTrue(repo.findExact(key("ff-lock")).isPresent(), "pool recovers");
    }
  }

  @Test
  void lookups_afterDatabaseTerminatesPoolConnections_recoverOrFailFast() throws Exception {
    try (DejaDatabase db = DejaDatabase.open(SCHEMA.config());
        Connection admin = TestDatabase.connect()) {
      CacheStore repo = db.repository();
      repo.store(entry(key("ff-term"), "p", "fft", null, null), IMG, false);
      try (Statement s = admin.createStatement()) {
        // This schema's pool only: other caches on the cluster (other tests, a soak) are not ours.
        try (java.sql.ResultSet killed = s.executeQuery(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE application_name IN ('"
                + DejaDatabase.applicationName(SCHEMA.name(), DejaDatabase.LOOKUP_POOL) + "', '"
                + DejaDatabase.applicationName(SCHEMA.name(), DejaDatabase.STORE_POOL) + "')"
                + " AND pid <> pg_backend_pid()")) {
          killed.next();
          assertTrue(killed.getLong(1) > 0, "the pool's connections were found and terminated");
        }
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        try {
          repo.findExact(key("ff-term"));
        } catch (CacheUnavailableException expected) {
          // a request that hit a killed connection goes to origin; the next one gets a new one
        }
      }
      assertTrue(repo.findExact(key("ff-term")).isPresent());
      assertTrue((System.nanoTime() - t0) / 1_000_000 < 5 * FAST_MS);
    }
  }

  private static TcpRelay proxy() throws Exception {
    URI uri = URI.create(TestDatabase.settings().url().substring("jdbc:".length()));
    return new TcpRelay(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort());
  }

  private static DatabaseConfig viaProxy(TcpRelay proxy) {
    String url = TestDatabase.settings().url().replaceFirst("//[^/]+/",
        "//127.0.0.1:" + proxy.port() + "/");
    return SCHEMA.builder().url(url).embeddingDimension(384).build();
  }

  private static <T> T assertFast(Supplier<T> action) {
    long t0 = System.nanoTime();
    T result = action.get();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < FAST_MS, "took " + ms + " ms, must be < " + FAST_MS);
    return result;
  }
}
