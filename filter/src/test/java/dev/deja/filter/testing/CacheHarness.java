package dev.deja.filter.testing;

import dev.deja.filter.DejaCache;
import dev.deja.filter.DejaConfig;
import dev.deja.filter.store.CacheStore;

/**
 * The filter over real Jetty in front of {@code origin}, on an in-memory store of its own, without
 * an embedding model: for tests of exact caching, HTTP and origin faults, which need no vectors
 * and no database (every store behaves alike here: {@code CacheStoreContract}), so they should pay
 * for neither a model nor PostgreSQL.
 */
public final class ExactCacheHarness implements AutoCloseable {

  public final CacheStore store;
  public final DejaCache cache;
  public final FilterHarness http;

  private ExactCacheHarness(CacheStore store, DejaCache cache, FilterHarness http) {
    this.store = store;
    this.cache = cache;
    this.http = http;
  }

  /** Starts with {@code config} (semantic lookup turned off) in front of {@code origin}. */
  public static ExactCacheHarness start(DejaConfig.Builder config, TestOrigin origin)
      throws Exception {
    DejaConfig c = config.semantic(false).build();
    CacheStore store = TestStores.inMemory();
    DejaCache cache =
        DejaCache.builder()
            .config(c)
            .store(store)
            .matcher(TestStores.matcher(c))
            .build();
    return new ExactCacheHarness(store, cache, new FilterHarness(cache, origin));
  }

  @Override
  public void close() throws Exception {
    http.close();
    cache.close();
    store.close();
  }
}
