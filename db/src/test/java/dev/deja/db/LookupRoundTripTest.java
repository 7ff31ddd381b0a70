package dev.deja.db;

import static dev.deja.db.Fixtures.entry;
import static dev.deja.db.Fixtures.key;
import static dev.deja.db.testing.TestVectors.unitVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TcpRelay;
import dev.deja.db.testing.TestDatabase;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a lookup is one statement and one round trip. The database sits behind a relay that
 * counts how often the client starts talking after the server answered.
 */
class LookupRoundTripTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(LookupRoundTripTest.class);
  static final int CALLS = 20;
  static final String BUCKET = "rt";

  static TcpRelay relay;
  static DejaDatabase db;
  static float[] vector;

  @BeforeAll
  static void open() throws Exception {
    URI uri = URI.create(TestDatabase.settings().url().substring("jdbc:".length()));
    relay = new TcpRelay(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort());
    String url = TestDatabase.settings().url().replaceFirst("//[^/]+/",
        "//127.0.0.1:" + relay.port() + "/");
    // 3: one lookup connection and two store connections, all opened at start, so no connection
    // is being opened (and counted) while the test measures.
    db = DejaDatabase.open(SCHEMA.builder().url(url).maxPoolSize(3).embeddingDimension(384)
        .build());
    Random r = new Random(14);
    vector = unitVector(r, 384);
    CacheStore repo = db.repository();
    repo.store(entry(key("rt-0"), "a red fox", BUCKET, vector, null), new byte[] {1}, false);
    for (int i = 1; i < 4; i++) {
      repo.store(entry(key("rt-" + i), "prompt " + i, BUCKET, unitVector(r, 384), null),
          new byte[] {(byte) i}, false);
    }
    // Warm-up: pgjdbc server-prepares a statement on its fifth execution, the partition size is
    // sampled on the first findNearest.
    for (int i = 0; i < 10; i++) {
      lookups(repo);
    }
  }

  @AfterAll
  static void close() throws Exception {
    db.close();
    relay.close();
    SCHEMA.drop();
  }

  @Test
  void findExact_afterWarmUp_isOneRoundTrip() {
    assertEquals(CALLS, roundTrips(() -> assertTrue(
        db.repository().findExact(key("rt-0")).isPresent())));
  }

  @Test
  void findExact_ofAMissingKey_isOneRoundTrip() {
    assertEquals(CALLS, roundTrips(() -> assertFalse(
        db.repository().findExact(key("rt-none")).isPresent())));
  }

  @Test
  void hasCandidates_afterWarmUp_isOneRoundTrip() {
    assertEquals(CALLS, roundTrips(() -> assertTrue(
        db.repository().hasCandidates(BUCKET, Fixtures.MODEL, Fixtures.EMBEDDER))));
  }

  @Test
  void findNearest_inASmallPartition_afterWarmUp_isOneRoundTrip() {
    assertEquals(CALLS, roundTrips(() -> assertEquals(key("rt-0"), db.repository()
        .findNearest(BUCKET, Fixtures.MODEL, Fixtures.EMBEDDER, vector, 3).get(0).cacheKey())));
  }

  @Test
  void pools_showApartInPgStatActivity_withTheLookupSettingsOnTheLookupPoolOnly()
      throws Exception {
    Set<String> names = new HashSet<>();
    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT application_name FROM pg_stat_activity"
            + " WHERE application_name LIKE 'deja/" + SCHEMA.name() + "/%'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    assertEquals(Set.of(DejaDatabase.applicationName(SCHEMA.name(), DejaDatabase.LOOKUP_POOL),
        DejaDatabase.applicationName(SCHEMA.name(), DejaDatabase.STORE_POOL)), names);
    // What a tool gets is the store pool, with the server's default settings.
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW plan_cache_mode")) {
      rs.next();
      assertEquals("auto", rs.getString(1));
    }
  }

  @Test
  void lookupSessionSql_onAFreshConnection_setsBudgetPlannerAndHnswSettings() throws Exception {
    DatabaseConfig config = SCHEMA.config(384).toBuilder().hnswEfSearch(77).build();
    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
      s.execute(dev.deja.db.internal.PostgresCacheRepository.lookupSessionSql(config));
      assertEquals(config.lookupTimeout().toMillis() + "ms", show(s, "statement_timeout"));
      assertEquals("off", show(s, "jit"));
      assertEquals("force_custom_plan", show(s, "plan_cache_mode"));
      assertEquals("77", show(s, "hnsw.ef_search"));
      assertEquals("relaxed_order", show(s, "hnsw.iterative_scan"));
    }
  }

  private static String show(Statement s, String setting) throws Exception {
    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void lookups(CacheStore repo) {
    repo.findExact(key("rt-0"));
    repo.findExact(key("rt-none"));
    repo.hasCandidates(BUCKET, Fixtures.MODEL, Fixtures.EMBEDDER);
    repo.findNearest(BUCKET, Fixtures.MODEL, Fixtures.EMBEDDER, vector, 3);
  }

  private static long roundTrips(Runnable lookup) {
    long before = relay.clientBursts();
    for (int i = 0; i < CALLS; i++) {
      lookup.run();
    }
    return relay.clientBursts() - before;
  }
}
