package dev.deja.filter.testing;

import dev.deja.filter.DejaCache;
import dev.deja.filter.DejaConfig;
import dev.deja.filter.embed.Embedder;
import dev.deja.db.CacheStore;

/**
 * The filter over real Jetty in front of {@code origin}, on a store of its own: the in-memory one
 * for specs that need no database (every store behaves alike there: {@code CacheStoreContract}),
 * or a PostgreSQL test store for what only PostgreSQL shows (outages, its tables). Closing it
 * closes the server, the cache and the store; an embedder stays the test's (it is shared across
 * tests because loading it is slow).
 */
public final class CacheHarness implements AutoCloseable {

  public final CacheStore store;
  public final DejaCache cache;
  public final FilterHarness http;
  private final AutoCloseable storeOwner;

  private CacheHarness(
      CacheStore store, AutoCloseable storeOwner, DejaConfig config, Embedder embedder,
      TestOrigin origin) throws Exception {
    this.store = store;
    this.storeOwner = storeOwner;
    DejaCache.Builder builder =
        DejaCache.builder().config(config).store(store).matcher(TestStores.matcher(config));
    if (embedder != null) {
      builder.embedder(embedder);
    }
    this.cache = builder.build();
    this.http = new FilterHarness(cache, origin);
  }

  /** Exact caching only (semantic lookup turned off), on the in-memory store, without a model. */
  public static CacheHarness exactOnly(DejaConfig.Builder config, TestOrigin origin)
      throws Exception {
    return inMemory(config.semantic(false).build(), null, origin);
  }

  /** On the in-memory store, with {@code embedder} (null: exact only). */
  public static CacheHarness inMemory(DejaConfig config, Embedder embedder, TestOrigin origin)
      throws Exception {
    CacheStore store = TestStores.inMemory();
    return new CacheHarness(store, store, config, embedder, origin);
  }

  /** On a PostgreSQL test store, which the harness closes. */
  public static CacheHarness on(
      TestStores.Store postgres, DejaConfig config, Embedder embedder, TestOrigin origin)
      throws Exception {
    return new CacheHarness(postgres.cacheStore(), postgres, config, embedder, origin);
  }

  @Override
  public void close() throws Exception {
    http.close();
    cache.close();
    storeOwner.close();
  }
}
