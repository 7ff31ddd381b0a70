package dev.deja.db;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.objects.ImageStoreLocation;
import dev.deja.db.objects.ObjectStore;
import dev.deja.db.objects.S3ObjectStore;
import dev.deja.db.objects.StoredObject;
import dev.deja.db.testing.S3TestServer;
import dev.deja.db.testing.TcpRelay;
import dev.deja.db.testing.TestDatabase;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Images in a real S3 API server (S3Mock, started by the test) behind PostgreSQL rows: what is
 * written where, what a missing object or a store outage does, the sweep, and the migration.
 */
class ObjectStoreImagesTest {

  private static final Duration SHORT = Duration.ofMillis(500);
  private static final Duration GRACE = Duration.ofSeconds(2);

  private final Random random = new Random(13);
  private TestDatabase.Schema schema;
  private String bucket;
  private TcpRelay relay;
  private ObjectStore objects;
  private DejaDatabase db;
  private CacheStore repo;

  @BeforeEach
  void open() throws Exception {
    S3TestServer s3 = S3TestServer.get();
    schema = TestDatabase.isolatedSchema(getClass());
    bucket = s3.newBucket(getClass());
    relay = new TcpRelay("127.0.0.1", s3.port());
    objects = S3TestServer.store(new ImageStoreLocation(bucket, "images"),
        URI.create("http://127.0.0.1:" + relay.port()));
    // A short grace for the sweep test; production's default is an hour.
    db = DejaDatabase.open(schema.builder().embeddingDimension(3).storeTimeout(SHORT)
        .objectSweepGrace(GRACE).imageStore(objects.location()).build(), objects);
    repo = db.repository();
  }

  @AfterEach
  void close() throws Exception {
    db.close();
    relay.close();
    schema.drop();
  }

  @Test
  void givenAnObjectStore_whenTwoEntriesShareAnImage_thenOneObjectAndNoBytesInPostgres()
      throws Exception {
    byte[] image = Fixtures.image(random, 50_000);
    repo.store(entry("a"), image, false);
    repo.store(entry("b"), image, false);

    assertEquals(1, S3TestServer.get().keys(bucket).size());
    assertTrue(S3TestServer.get().keys(bucket).get(0).startsWith("images/" + Sha256.hex(image)));
    assertEquals(new ImagePlacement(0, 0, 1, 50_000), repo.imagePlacement());
    assertEquals(0, sql("SELECT count(*) FROM image_blob WHERE bytes IS NOT NULL"));
    StoredResponse hit = repo.findExact(Fixtures.key("b")).orElseThrow();
    assertArrayEquals(image, hit.image().inMemory(), "a small image is read whole");
    assertEquals(Sha256.hex(image), hit.bodySha256());
  }

  @Test
  void givenA20MbImage_whenFound_thenItIsStreamedNotBuffered() throws Exception {
    byte[] image = Fixtures.image(random, 20 * 1024 * 1024);
    repo.store(entry("big"), image, false);

    StoredResponse hit = repo.findExact(Fixtures.key("big")).orElseThrow();
    assertNull(hit.image().inMemory(), "large images are not read during the lookup");
    assertEquals(image.length, hit.image().length());
    try (InputStream in = hit.image().open(0, image.length)) {
      assertArrayEquals(image, in.readAllBytes());
    }
    try (InputStream in = hit.image().open(1_000_000, 10)) {
      byte[] range = in.readAllBytes();
      assertArrayEquals(java.util.Arrays.copyOfRange(image, 1_000_000, 1_000_010), range);
    }
  }

  @Test
  void givenAnObjectDeletedBehindDejasBack_thenTheLookupIsAMissAndTheEntryIsRefetchable()
      throws Exception {
    byte[] image = Fixtures.image(random, 1000);
    repo.store(entry("gone"), image, false);
    repo.store(entry("twin"), image, false);
    S3TestServer.get().deleteObject(bucket, S3TestServer.get().keys(bucket).get(0));

    assertEquals(Optional.empty(), repo.findExact(Fixtures.key("gone")));
    // Every entry sharing the object is dropped with it: none can be served.
    assertEquals(0, sql("SELECT count(*) FROM cache_entry"));
    assertEquals(0, sql("SELECT count(*) FROM image_blob"));

    assertEquals(StoreOutcome.STORED, repo.store(entry("gone"), image, false));
    assertArrayEquals(image, repo.findExact(Fixtures.key("gone")).orElseThrow().body());
  }

  @Test
  void givenALargeObjectDeleted_whenItIsOpened_thenImageMissingAndTheEntryIsDropped() {
    byte[] image = Fixtures.image(random, 2 * 1024 * 1024);
    repo.store(entry("large"), image, false);
    StoredResponse hit = repo.findExact(Fixtures.key("large")).orElseThrow();
    S3TestServer.get().deleteObject(bucket, S3TestServer.get().keys(bucket).get(0));

    assertThrows(ImageMissingException.class, () -> hit.image().open(0, 10));
    assertEquals(Optional.empty(), repo.findExact(Fixtures.key("large")));
  }

  @Test
  void givenTheObjectStoreDown_thenLookupsAndStoresFailAsUnavailable_andRecover()
      throws Exception {
    byte[] image = Fixtures.image(random, 1000);
    repo.store(entry("up"), image, false);
    relay.cut();

    CacheUnavailableException read =
        assertThrows(CacheUnavailableException.class, () -> repo.findExact(Fixtures.key("up")));
    assertEquals(ObjectStore.COMPONENT, read.component());
    CacheUnavailableException write = assertThrows(CacheUnavailableException.class,
        () -> repo.store(entry("down"), Fixtures.image(random, 100), false));
    assertEquals(ObjectStore.COMPONENT, write.component());
    assertEquals(0, sql("SELECT count(*) FROM cache_entry WHERE cache_key = '"
        + Fixtures.key("down") + "'"), "no row without its object");
    assertEquals(1, sql("SELECT count(*) FROM cache_entry"), "an outage drops nothing");

    relay.restore();
    assertArrayEquals(image, repo.findExact(Fixtures.key("up")).orElseThrow().body());
  }

  @Test
  void givenAHungObjectStore_thenAReadGivesUpWithinItsBoundAndNeverHoldsTheClient()
      throws Exception {
    repo.store(entry("small"), Fixtures.image(random, 1000), false);
    repo.store(entry("large"), Fixtures.image(random, 2 * 1024 * 1024), false);
    StoredResponse large = repo.findExact(Fixtures.key("large")).orElseThrow();
    relay.goSilent(); // accepts bytes, answers nothing: a hung store, not a refused one

    for (Runnable read : List.<Runnable>of(
        () -> repo.findExact(Fixtures.key("small")),
        () -> {
          try {
            large.image().open(0, 10).close();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        })) {
      long started = System.nanoTime();
      CacheUnavailableException e = assertThrows(CacheUnavailableException.class, read::run);
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertEquals(ObjectStore.COMPONENT, e.component());
      assertTrue(millis < 4_000, "a read of a hung store took " + millis + " ms");
    }
    relay.restore();
  }

  @Test
  void givenADeletedEntry_whenOrphansAreSwept_thenItsObjectGoes() throws Exception {
    repo.store(entry("doomed"), Fixtures.image(random, 1000), false);
    repo.store(entry("kept"), Fixtures.image(random, 1000), false);
    assertTrue(repo.delete(Fixtures.key("doomed")));

    assertEquals(1, repo.deleteOrphanBlobs(100));
    assertEquals(1, S3TestServer.get().keys(bucket).size());
    assertTrue(repo.findExact(Fixtures.key("kept")).isPresent());
  }

  @Test
  void givenACrashBetweenObjectWriteAndRowCommit_thenNoRowAndTheObjectIsSweptAfterTheGrace()
      throws Exception {
    // The process "dies" after writing the object: the row never commits, and nothing cleans up.
    ObjectStore crashing = new CrashAfterPut(objects, relayOfDatabase());
    try (DejaDatabase crashDb = DejaDatabase.open(schema.builder().embeddingDimension(3)
        .imageStore(objects.location()).url(crashUrl).build(), crashing)) {
      assertThrows(CacheUnavailableException.class,
          () -> crashDb.repository().store(entry("crash"), Fixtures.image(random, 500), false));
    } finally {
      dbRelay.close();
    }
    assertEquals(0, sql("SELECT count(*) FROM cache_entry"), "no dangling row");
    assertEquals(1, S3TestServer.get().keys(bucket).size(), "the orphan object is there");
    // Someone else's file under the same prefix: not Deja's to sweep, however old.
    S3TestServer.get().putObject(bucket, "images/README.txt", new byte[] {1});

    assertEquals(0, repo.sweepUnreferencedObjects(100),
        "inside the grace period an object may still be waiting for its row");
    repo.store(entry("live"), Fixtures.image(random, 500), false);
    Thread.sleep(GRACE.toMillis() + 200);
    assertEquals(1, repo.sweepUnreferencedObjects(100));
    List<String> left = S3TestServer.get().keys(bucket);
    assertEquals(2, left.size(), "a referenced object and a foreign one are never swept");
    assertTrue(left.contains("images/README.txt"));
    assertTrue(repo.findExact(Fixtures.key("live")).isPresent());
  }

  @Test
  void givenBytesInPostgres_whenMigratedToTheObjectStoreAndBack_thenEveryImageMovesAndStaysServed()
      throws Exception {
    TestDatabase.Schema legacy = TestDatabase.isolatedSchema(getClass());
    byte[][] images = new byte[5][];
    try (DejaDatabase bytea = DejaDatabase.open(legacy.builder().embeddingDimension(3).build())) {
      for (int i = 0; i < images.length; i++) {
        images[i] = Fixtures.image(random, 1000 + i);
        bytea.repository().store(entry("m" + i), images[i], false);
      }
    }
    try (DejaDatabase both = DejaDatabase.open(legacy.builder().embeddingDimension(3)
        .imageStore(objects.location()).build(), reopen())) {
      CacheStore r = both.repository();
      assertEquals(new ImagePlacement(5, 5010, 0, 0), r.imagePlacement());
      assertEquals(2, r.migrateImages(true, 2), "one batch");
      ImagePlacement half = r.imagePlacement();
      assertEquals(3, half.inDatabase());
      assertEquals(2, half.inObjectStore());
      assertEquals(5010, half.bytesInDatabase() + half.bytesInObjectStore());
      for (int i = 0; i < images.length; i++) {
        assertArrayEquals(images[i], r.findExact(Fixtures.key("m" + i)).orElseThrow().body(),
            "served mid-migration from either side");
      }
      assertEquals(3, r.migrateImages(true, 10), "resumes where it stopped");
      assertEquals(0, r.migrateImages(true, 10));
      assertEquals(new ImagePlacement(0, 0, 5, 5010), r.imagePlacement());
      assertEquals(5, S3TestServer.get().keys(bucket).size());

      assertEquals(5, r.migrateImages(false, 10));
      assertEquals(new ImagePlacement(5, 5010, 0, 0), r.imagePlacement());
      assertEquals(0, S3TestServer.get().keys(bucket).size(), "moved back, objects deleted");
      for (int i = 0; i < images.length; i++) {
        assertArrayEquals(images[i], r.findExact(Fixtures.key("m" + i)).orElseThrow().body());
      }
    } finally {
      legacy.drop();
    }
  }

  @Test
  void givenRowsInTheObjectStore_whenNoObjectStoreIsConfigured_thenUnavailableNotAWrongImage()
      throws Exception {
    repo.store(entry("elsewhere"), Fixtures.image(random, 100), false);
    try (DejaDatabase plain = DejaDatabase.open(schema.builder().embeddingDimension(3).build())) {
      CacheUnavailableException e = assertThrows(CacheUnavailableException.class,
          () -> plain.repository().findExact(Fixtures.key("elsewhere")));
      assertEquals(ObjectStore.COMPONENT, e.component());
    }
  }

  @Test
  void imageStoreLocationParsing() {
    assertEquals(ImageStoreLocation.POSTGRES, ImageStoreLocation.parse("postgres"));
    assertEquals(new ImageStoreLocation("deja", "images/v1"),
        ImageStoreLocation.parse("s3://deja/images/v1/"));
    assertEquals(new ImageStoreLocation("deja", ""), ImageStoreLocation.parse("s3://deja"));
    for (String bad : List.of("s3://", "s3://UPPER/x", "S3://deja/x", "gs://deja/x",
        "s3://deja/../x", "s3://deja//x", "mysql")) {
      assertThrows(IllegalArgumentException.class, () -> ImageStoreLocation.parse(bad), bad);
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  private TcpRelay dbRelay;
  private String crashUrl;

  /** A relay to PostgreSQL that the crashing store cuts right after its object is written. */
  private TcpRelay relayOfDatabase() throws Exception {
    URI target = URI.create(TestDatabase.settings().url().substring("jdbc:".length()));
    dbRelay = new TcpRelay(target.getHost(), target.getPort());
    crashUrl = "jdbc:postgresql://127.0.0.1:" + dbRelay.port() + target.getPath()
        + (target.getQuery() == null ? "" : "?" + target.getQuery());
    return dbRelay;
  }

  private S3ObjectStore reopen() {
    return S3TestServer.store(objects.location(), S3TestServer.get().endpoint());
  }

  private static NewEntry entry(String seed) {
    return Fixtures.entry(Fixtures.key(seed), "prompt " + seed, "1024x576", new float[] {1, 0, 0},
        null);
  }

  private long sql(String query) throws Exception {
    return schema.queryLong(query);
  }

  /** Writes the object, then the "process dies": the database is cut and nothing is cleaned up. */
  private static final class CrashAfterPut implements ObjectStore {
    private final ObjectStore real;
    private final TcpRelay database;

    CrashAfterPut(ObjectStore real, TcpRelay database) {
      this.real = real;
      this.database = database;
    }

    @Override
    public String put(String sha256, byte[] bytes, String contentType) {
      String uri = real.put(sha256, bytes, contentType);
      try {
        database.cut();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
      return uri;
    }

    @Override
    public void delete(String uri) {
      throw new IllegalStateException("the process is gone: no cleanup");
    }

    @Override
    public byte[] read(String uri) {
      return real.read(uri);
    }

    @Override
    public InputStream open(String uri, long from, long count) {
      return real.open(uri, from, count);
    }

    @Override
    public List<StoredObject> list(String afterUri, int max) {
      return real.list(afterUri, max);
    }

    @Override
    public boolean owns(String uri) {
      return real.owns(uri);
    }

    @Override
    public void check() {
      real.check();
    }

    @Override
    public ImageStoreLocation location() {
      return real.location();
    }

    @Override
    public void close() {
      // the real store is closed by the test's own database
    }
  }

  @Test
  void storedObjectsCarryTheirSha256() {
    byte[] image = Fixtures.image(random, 10);
    String uri = objects.put(Sha256.hex(image), image, "image/png");
    assertTrue(objects.owns(uri));
    assertFalse(objects.owns("s3://other/images/x"));
    assertNotNull(objects.list(null, 10).get(0).lastModified());
    assertArrayEquals(image, objects.read(uri));
    objects.delete(uri);
    objects.delete(uri); // twice is fine
    assertThrows(ImageMissingException.class, () -> objects.read(uri));
  }
}
