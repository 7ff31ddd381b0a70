package dev.deja.server;

import static dev.deja.server.TestServers.await;
import static dev.deja.server.TestServers.get;
import static dev.deja.server.TestServers.imagePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TcpRelay;
import dev.deja.db.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue #11, item 5: a gateway restarted while its database is down must start and serve images
 * from the origin (run time already fails open), then start caching once the database is back.
 */
class StartDuringOutageTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(StartDuringOutageTest.class);

  @Test
  void givenTheDatabaseIsDownAtStartup_theGatewayServesFromTheOrigin_andCachesOnceItIsBack()
      throws Exception {
    TestDatabase.Settings db = TestDatabase.settings();
    URI target = URI.create(db.url().substring("jdbc:".length()));
    try (TcpRelay relay = new TcpRelay(target.getHost(), target.getPort())) {
      relay.cut();
      String url = "jdbc:postgresql://127.0.0.1:" + relay.port() + target.getPath();
      DejaServer server =
          Main.start(
              new String[] {
                "--host", "127.0.0.1", "--port", "0", "--demo-origin", "--demo-delay-ms", "5",
                "--db-url", url, "--db-user", db.user(), "--db-password", db.password(),
                "--db-schema", SCHEMA.name(), "--set", "semantic=false",
                "--eviction-interval", "1h", "--shutdown-timeout", "5s"
              });
      try {
        String path = imagePath("a lantern in the fog", "seed=3&width=32&height=32");
        HttpResponse<byte[]> during = get(server, path);
        assertEquals(200, during.statusCode(), "the origin's image is served");
        String status = during.headers().firstValue("Cache-Status").orElse("");
        assertTrue(status.contains("detail=cache-unavailable"), status);
        assertFalse(status.contains("stored"), "nothing is promised while the store is away");
        String metrics = server.registry().scrape();
        assertTrue(metrics.contains("deja_requests_total{status=\"miss\",type=\"unavailable\"} 1.0"),
            "an outage is counted apart from plain misses");
        assertTrue(metrics.contains("deja_lookups_total{outcome=\"unavailable\"} 1.0"), metrics);
        assertTrue(metrics.contains("deja_origin_requests_total{status=\"2xx\"} 1.0"), metrics);

        relay.restore();
        // The answer kept during the outage is written once the database is back (store retries),
        // and then served from the database, not only from the in-memory tier.
        String key = during.headers().firstValue("X-Cache-Key").orElseThrow();
        await("the entry kept during the outage to reach the database", Duration.ofSeconds(30),
            () -> {
              try {
                return server.cache().store().findExact(key).isPresent();
              } catch (RuntimeException e) {
                return false; // still connecting
              }
            });
        AtomicReference<String> seen = new AtomicReference<>();
        await("an exact hit from the database", Duration.ofSeconds(15), () -> {
          server.cache().invalidateAll();
          try {
            seen.set(get(server, path).headers().firstValue("Cache-Status").orElse(""));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return seen.get().contains("hit; detail=exact");
        });
        assertEquals(1, server.demoOrigin().calls(), "one origin call: the image drawn during the outage");
      } finally {
        server.stop();
        SCHEMA.drop();
      }
    }
  }
}
