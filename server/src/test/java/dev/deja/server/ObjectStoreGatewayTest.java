package dev.deja.server;

import dev.deja.filter.store.CacheMaintainer;
import static dev.deja.server.TestServers.TOKEN;
import static dev.deja.server.TestServers.await;
import static dev.deja.server.TestServers.get;
import static dev.deja.server.TestServers.imagePath;
import static dev.deja.server.TestServers.send;
import static dev.deja.server.TestServers.uri;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.deja.db.ReconnectingDatabase;
import dev.deja.db.testing.S3TestServer;
import dev.deja.db.testing.TcpRelay;
import dev.deja.db.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue #13 at the gateway: the real server started with {@code --image-store=s3://...} against a
 * real S3 API server (S3Mock, started by the tests), the admin API and the eviction pass on top of
 * it, {@code --migrate-images} both ways, and the object store failing underneath. Credentials
 * come from the AWS chain (the surefire configuration sets {@code aws.accessKeyId} and {@code
 * aws.secretAccessKey}), as in production.
 */
class ObjectStoreGatewayTest {

  private static final Duration STORED = Duration.ofSeconds(30);

  private final S3TestServer s3 = S3TestServer.get();
  private TestDatabase.Schema schema;
  private String bucket;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeEach
  void setUp() {
    schema = TestDatabase.isolatedSchema(getClass());
    bucket = s3.newBucket(getClass());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    schema.drop();
  }

  @Test
  void givenAnS3ImageStore_aMissBecomesOneObjectAndNoBytesInPostgres_andTheNextHitComesFromS3()
      throws Exception {
    DejaServer server = start(s3.endpoint().toString(), "--set", "hotCacheBytes=0");
    String path = imagePath("a lantern in the fog", "seed=3&width=32&height=32");

    HttpResponse<byte[]> miss = get(server, path);
    assertEquals(200, miss.statusCode());
    assertEquals("MISS", miss.headers().firstValue("X-Cache").orElseThrow());
    awaitEntries(1);

    assertEquals(1, s3.keys(bucket).size(), "one object");
    assertTrue(s3.keys(bucket).get(0).startsWith("images/"), s3.keys(bucket).toString());
    assertEquals(0, sql("SELECT count(*) FROM image_blob WHERE bytes IS NOT NULL"),
        "no image bytes in PostgreSQL");
    assertEquals(1, sql("SELECT count(*) FROM image_blob WHERE storage_uri LIKE 's3://"
        + bucket + "/images/%'"));

    HttpResponse<byte[]> hit = get(server, path);
    assertEquals("deja; hit; detail=exact", hit.headers().firstValue("Cache-Status").orElseThrow());
    assertArrayEquals(miss.body(), hit.body());
    assertEquals(1, server.demoOrigin().calls());

    // With the in-memory tier off, the hit could only have come from the bucket: without its
    // object the same request goes back to the origin, which stores the image again.
    s3.deleteObject(bucket, s3.keys(bucket).get(0));
    HttpResponse<byte[]> repaired = get(server, path);
    assertEquals(200, repaired.statusCode());
    assertEquals("MISS", repaired.headers().firstValue("X-Cache").orElseThrow());
    assertEquals(2, server.demoOrigin().calls());
    await("the image to be stored again", STORED, () -> s3.keys(bucket).size() == 1);
    awaitEntries(1);
    assertEquals("HIT", get(server, path).headers().firstValue("X-Cache").orElseThrow());
  }

  @Test
  void givenAnEntryDeletedThroughTheAdminApi_theNextEvictionPassDeletesItsObject()
      throws Exception {
    DejaServer server = start(s3.endpoint().toString());
    HttpResponse<byte[]> doomed = get(server, imagePath("a doomed teapot", "seed=1&width=32"));
    get(server, imagePath("a kept teapot", "seed=1&width=32"));
    awaitEntries(2);
    assertEquals(2, s3.keys(bucket).size());

    String key = doomed.headers().firstValue("X-Cache-Key").orElseThrow();
    HttpResponse<byte[]> deleted = send(server, HttpRequest.newBuilder(
        uri(server, "/_deja/entries/" + key)).header("Authorization", "Bearer " + TOKEN).DELETE());
    assertEquals(200, deleted.statusCode());
    assertEquals(2, s3.keys(bucket).size(), "the object outlives its row until the pass");

    CacheMaintainer.Result pass = server.cache().maintenance().runOnce().orElseThrow();
    assertEquals(1, pass.orphanBlobs());
    assertEquals(1, s3.keys(bucket).size(), "the deleted entry's object is gone");
    assertEquals(1, sql("SELECT count(*) FROM image_blob"));
  }

  @Test
  void givenTheObjectStoreDown_requestsAreAnsweredByTheOrigin_andTheirStoresLandOnceItIsBack()
      throws Exception {
    try (TcpRelay relay = new TcpRelay("127.0.0.1", s3.port())) {
      DejaServer server = start("http://127.0.0.1:" + relay.port(), "--set", "hotCacheBytes=0");
      String stored = imagePath("a stored lighthouse", "seed=5&width=32");
      get(server, stored);
      awaitEntries(1);

      relay.cut();
      HttpResponse<byte[]> hit = get(server, stored);
      assertEquals(200, hit.statusCode());
      String status = hit.headers().firstValue("Cache-Status").orElseThrow();
      assertTrue(status.contains("detail=object-store-unavailable"), status);
      HttpResponse<byte[]> miss = get(server, imagePath("a new lighthouse", "seed=5&width=32"));
      assertEquals(200, miss.statusCode(), "a miss is answered while the store is down");
      assertEquals(1, sql("SELECT count(*) FROM cache_entry"), "no row without its object");
      await("the refused store to be retried", STORED, () -> server.registry().scrape()
          .lines().anyMatch(l -> l.startsWith("deja_store_retried_total ") && !l.endsWith(" 0.0")));

      relay.restore();
      // The store refused during the outage is retried by the background writer and lands.
      awaitEntries(2);
      assertEquals(2, s3.keys(bucket).size());
    }
  }

  @Test
  void givenTheObjectStoreDownDuringAnEvictionPass_thePassCompletes_andTheObjectIsSweptLater()
      throws Exception {
    try (TcpRelay relay = new TcpRelay("127.0.0.1", s3.port())) {
      // The shortest grace the settings allow here: more than twice the store timeout.
      DejaServer server = start("http://127.0.0.1:" + relay.port(),
          "--set", "db.store-timeout=500ms", "--set", "db.object-sweep-grace=2s");
      HttpResponse<byte[]> miss = get(server, imagePath("an orphan kite", "seed=2&width=32"));
      awaitEntries(1);
      String key = miss.headers().firstValue("X-Cache-Key").orElseThrow();
      assertTrue(server.cache().store().delete(key));

      relay.cut();
      CacheMaintainer.Result down = server.cache().maintenance().runOnce().orElseThrow();
      assertEquals(1, down.orphanBlobs(), "the row goes even when its object cannot");
      assertEquals(0, down.orphanObjects());
      assertEquals(1, s3.keys(bucket).size(), "the object stays until the store is back");

      relay.restore();
      Thread.sleep(2_200);
      assertEquals(1, server.cache().maintenance().runOnce().orElseThrow().orphanObjects(),
          "swept after the grace");
      assertEquals(List.of(), s3.keys(bucket));
    }
  }

  @Test
  void migrateImages_movesEveryByteaImageToS3AndBack_printingProgress_andResumesWithNothingLeft()
      throws Exception {
    DejaServer bytea = TestServers.start(schema, "--set", "semantic=false");
    opened.add(bytea::stop);
    for (int i = 0; i < 3; i++) {
      get(bytea, imagePath("a migrating crane " + i, "seed=4&width=32"));
    }
    awaitEntries(3);
    bytea.stop();
    assertEquals(3, sql("SELECT count(*) FROM image_blob WHERE bytes IS NOT NULL"));

    ServerConfig config = Main.configure(args(s3.endpoint().toString()), Map.of());
    String toS3 = migrate(config, "s3", 0);
    assertTrue(toS3.contains("deja: moving 3 images to the object store"), toS3);
    assertTrue(toS3.contains("deja: moved 3/3 images"), toS3);
    assertTrue(toS3.contains("deja: done: 0 images (0 bytes) in postgres, 3 ("), toS3);
    assertEquals(3, s3.keys(bucket).size());
    assertEquals(0, sql("SELECT count(*) FROM image_blob WHERE bytes IS NOT NULL"));

    String again = migrate(config, "s3", 0);
    assertTrue(again.contains("deja: moving 0 images to the object store"), again);
    assertFalse(again.contains("moved"), again);

    String back = migrate(config, "postgres", 0);
    assertTrue(back.contains("deja: moving 3 images to postgres"), back);
    assertTrue(back.contains("deja: done: 3 images"), back);
    assertEquals(List.of(), s3.keys(bucket), "moved back, objects deleted");
    assertEquals(3, sql("SELECT count(*) FROM image_blob WHERE bytes IS NOT NULL"));
  }

  @Test
  void migrateImages_withABadTarget_isAOneLineConfigError() {
    ServerConfig s3Config = Main.configure(args(s3.endpoint().toString()), Map.of());
    ServerConfig.ConfigException unknown = assertThrows(ServerConfig.ConfigException.class,
        () -> ImageMigrationCommand.run(s3Config, "gcs", System.out));
    assertEquals("--migrate-images must be s3 or postgres but was 'gcs'", unknown.getMessage());

    ServerConfig postgres = Main.configure(new String[] {
        "--db-url", TestDatabase.settings().url(), "--db-schema", schema.name()}, Map.of());
    ServerConfig.ConfigException noBucket = assertThrows(ServerConfig.ConfigException.class,
        () -> ImageMigrationCommand.run(postgres, "s3", System.out));
    assertTrue(noBucket.getMessage().contains("--image-store=s3://BUCKET/PREFIX"),
        noBucket.getMessage());
    assertEquals(1, noBucket.getMessage().lines().count());
    ServerConfig.ConfigException outOfNothing = assertThrows(ServerConfig.ConfigException.class,
        () -> ImageMigrationCommand.run(postgres, "postgres", System.out));
    assertTrue(outOfNothing.getMessage().endsWith("the bucket to move the images out of"),
        outOfNothing.getMessage());
  }

  @Test
  void givenAWrongBucketAtStartup_theGatewayServesFromTheOrigin_saysWhy_andCachesOnceItExists()
      throws Exception {
    String missing = bucket + "-later";
    Logger log = (Logger) LoggerFactory.getLogger(ReconnectingDatabase.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    try {
      DejaServer server = TestServers.start(schema, "--set", "semantic=false",
          "--image-store", "s3://" + missing + "/images", "--s3-endpoint", s3.endpoint().toString());
      opened.add(server::stop);
      String path = imagePath("a lighthouse before the bucket", "seed=8&width=32");
      HttpResponse<byte[]> during = get(server, path);
      assertEquals(200, during.statusCode(), "the origin's image is served");
      String status = during.headers().firstValue("Cache-Status").orElseThrow();
      assertTrue(status.contains("detail=object-store-unavailable"), status);

      String warning = lines.list.stream().map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains("unreachable at startup")).findFirst().orElseThrow();
      assertTrue(warning.contains("image store s3://" + missing + "/images"), warning);
      assertTrue(warning.contains("no such bucket"), warning);

      s3.createBucket(missing);
      await("the gateway to connect once the bucket exists", STORED, () -> {
        try {
          server.cache().store().stats();
          return true;
        } catch (RuntimeException e) {
          return false;
        }
      });
      // The answer drawn while the bucket was missing was kept and retried: it lands by itself.
      awaitEntries(1);
      assertEquals(1, s3.keys(missing).size());
      assertEquals("HIT", get(server, path).headers().firstValue("X-Cache").orElseThrow());
      assertEquals(1, server.demoOrigin().calls());
    } finally {
      log.detachAppender(lines);
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  private DejaServer start(String endpoint, String... extra) {
    List<String> args = new ArrayList<>(List.of("--set", "semantic=false", "--admin-token", TOKEN,
        "--image-store", "s3://" + bucket + "/images", "--s3-endpoint", endpoint));
    args.addAll(List.of(extra));
    DejaServer server = TestServers.start(schema, args.toArray(String[]::new));
    opened.add(server::stop);
    return server;
  }

  private String[] args(String endpoint) {
    TestDatabase.Settings db = TestDatabase.settings();
    return new String[] {"--db-url", db.url(), "--db-user", db.user(), "--db-password",
        db.password(), "--db-schema", schema.name(), "--set", "semantic=false",
        "--image-store", "s3://" + bucket + "/images", "--s3-endpoint", endpoint};
  }

  private static String migrate(ServerConfig config, String target, int expectedStatus) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = ImageMigrationCommand.run(config, target, new PrintStream(out, true,
        StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(expectedStatus, status, printed);
    return printed;
  }

  private void awaitEntries(long entries) throws InterruptedException {
    await(entries + " entries in the database", STORED, () -> {
      try {
        return sql("SELECT count(*) FROM cache_entry") == entries;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private long sql(String query) throws Exception {
    return schema.queryLong(query);
  }
}
