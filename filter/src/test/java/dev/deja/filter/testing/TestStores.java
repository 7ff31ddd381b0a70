package dev.deja.filter.testing;

import dev.deja.db.DatabaseConfig;
import dev.deja.db.DejaDatabase;
import dev.deja.db.objects.ImageStoreLocation;
import dev.deja.db.objects.ObjectStore;
import dev.deja.db.testing.S3TestServer;
import dev.deja.db.testing.TcpRelay;
import dev.deja.db.testing.TestDatabase;
import dev.deja.filter.DejaConfig;
import dev.deja.filter.match.SemanticMatcher;
import dev.deja.db.CacheStore;
import dev.deja.filter.store.InMemoryCacheStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * The store the filter tests run against: the real PostgreSQL + pgvector of {@link TestDatabase}
 * (an isolated schema per test), reached through a {@link TcpRelay} so a test can cut it.
 */
public final class TestStores {

  private TestStores() {}

  /** A real store the test can take down and bring back. */
  public interface Store extends AutoCloseable {
    CacheStore cacheStore();

    DejaDatabase database();

    /** The bucket holding the images, or null when they are in PostgreSQL. */
    String bucket();

    /**
     * Cuts (true) or restores (false) the network between the cache and PostgreSQL, or the object
     * store for a store opened {@link #openWithObjectStore with one}.
     */
    void down(boolean down);

    @Override
    void close();
  }

  public static Store open(Class<?> testClass, int dimension) {
    return open(testClass, dimension, false);
  }

  /**
   * As {@link #open(Class, int)}, with images in a new bucket of the tests' S3 API server, reached
   * through a relay of its own: {@link Store#down} then cuts the object store, not the database.
   */
  public static Store openWithObjectStore(Class<?> testClass, int dimension) {
    return open(testClass, dimension, true);
  }

  private static Store open(Class<?> testClass, int dimension, boolean objectStore) {
    TestDatabase.Schema schema = TestDatabase.isolatedSchema(testClass);
    URI target = URI.create(TestDatabase.settings().url().substring("jdbc:".length()));
    TcpRelay relay;
    ObjectStore objects = null;
    try {
      if (objectStore) {
        S3TestServer s3 = S3TestServer.get();
        relay = new TcpRelay("127.0.0.1", s3.port());
        objects = S3TestServer.store(new ImageStoreLocation(s3.newBucket(testClass), "images"),
            URI.create("http://127.0.0.1:" + relay.port()));
      } else {
        relay = new TcpRelay(target.getHost(), target.getPort());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String url = objectStore ? TestDatabase.settings().url()
        : "jdbc:postgresql://127.0.0.1:" + relay.port() + target.getPath()
            + (target.getQuery() == null ? "" : "?" + target.getQuery());
    DatabaseConfig.Builder config = schema.builder().url(url).embeddingDimension(dimension);
    if (objects != null) {
      config.imageStore(objects.location());
    }
    DejaDatabase database = DejaDatabase.open(config.build(), objects);
    String bucket = objects == null ? null : objects.location().bucket();
    CacheStore store = database.repository();
    return new Store() {
      @Override
      public CacheStore cacheStore() {
        return store;
      }

      @Override
      public DejaDatabase database() {
        return database;
      }

      @Override
      public String bucket() {
        return bucket;
      }

      @Override
      public void down(boolean down) {
        try {
          if (down) {
            relay.cut();
          } else {
            relay.restore();
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public void close() {
        database.close();
        try {
          relay.close();
        } catch (IOException e) {
          // test teardown
        }
        schema.drop();
      }
    };
  }

  /**
   * A fresh store in the heap: for tests of the filter's behaviour, which {@code
   * CacheStoreContract} shows every store shares. A test takes {@link #open} instead only for what
   * PostgreSQL alone shows (an outage, a slow database, what lands in its tables).
   */
  public static CacheStore inMemory() {
    return new InMemoryCacheStore();
  }

  public static SemanticMatcher matcher(DejaConfig config) {
    return dev.deja.filter.FilterSettings.matcher(config);
  }
}
