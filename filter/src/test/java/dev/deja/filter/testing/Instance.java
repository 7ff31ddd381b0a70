package dev.deja.filter.testing;

import dev.deja.db.CacheUnavailableException;
import dev.deja.db.DejaDatabase;
import dev.deja.db.testing.TestDatabase;
import dev.deja.filter.DejaCache;
import dev.deja.filter.FilterSettings;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One Deja instance as a deployment runs it: a cache opened from settings (its own pools, its own
 * listening connection) behind the filter in a real Jetty, in front of its own origin. Several of
 * them on one schema are several gateways on one database.
 */
public final class Instance implements AutoCloseable {

  public final DejaCache cache;
  public final FilterHarness http;

  private Instance(DejaCache cache, FilterHarness http) {
    this.cache = cache;
    this.http = http;
  }

  /**
   * Starts an exact-only instance (64x64 images, a lookup budget of 2 s) on {@code schema}, with
   * {@code settings} (key, value pairs) on top, and waits until it hears the other instances.
   */
  public static Instance start(TestDatabase.Schema schema, String... settings) throws Exception {
    DejaCache cache = FilterSettings.of(settings(schema, settings)).open();
    try {
      Instance instance = new Instance(cache, new FilterHarness(cache, new TestOrigin(0)));
      await("the invalidation listener to subscribe", Duration.ofSeconds(10),
          () -> cache.coherence().subscribed());
      return instance;
    } catch (Exception | Error e) {
      cache.close();
      throw e;
    }
  }

  /**
   * The settings of an exact-only cache of 64x64 images on {@code schema}, with {@code extra}
   * (key, value pairs) on top: filter init-params, or {@link FilterSettings#of}.
   */
  public static Map<String, String> settings(TestDatabase.Schema schema, String... extra) {
    TestDatabase.Settings db = TestDatabase.settings();
    Map<String, String> s = new LinkedHashMap<>();
    s.put("db.url", db.url());
    s.put("db.user", db.user());
    s.put("db.password", db.password());
    s.put("db.schema", schema.name());
    s.put("semantic", "false");
    s.put("defaults", "model=flux,width=64,height=64");
    // These tests are about what instances tell each other, not the lookup budget: a machine busy
    // with other builds must not turn their setup's hits into fail-open misses.
    s.put("db.lookup-timeout", "2s");
    for (int i = 0; i < extra.length; i += 2) {
      s.put(extra[i], extra[i + 1]);
    }
    return s;
  }

  /**
   * Kills, as a crash or a network cut would, every session of {@code schema}'s instances that
   * plays {@code role} (e.g. {@code PostgresCoordination.LISTEN}); returns how many.
   */
  public static int terminate(TestDatabase.Schema schema, String role) throws SQLException {
    try (Connection conn = TestDatabase.connect();
        PreparedStatement kill = conn.prepareStatement(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE application_name = ?")) {
      kill.setString(1, DejaDatabase.applicationName(schema.name(), role));
      try (ResultSet rs = kill.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Whether {@code cache}'s database holds {@code key}; false while it cannot say (busy, down). */
  public static boolean stored(DejaCache cache, String key) {
    try {
      return cache.store().findExact(key).isPresent();
    } catch (CacheUnavailableException e) {
      return false;
    }
  }

  /** GET {@code path}; returns the {@code X-Cache} header (HIT, MISS, BYPASS). */
  public String xCache(String path) throws Exception {
    return get(path).headers().firstValue("X-Cache").orElse("");
  }

  public HttpResponse<byte[]> get(String path) throws Exception {
    return http.get(path);
  }

  public static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      http.close();
    } finally {
      cache.close();
    }
  }
}
