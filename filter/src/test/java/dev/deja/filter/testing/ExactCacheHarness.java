package dev.deja.filter.testing;

import dev.deja.filter.DejaCache;
import dev.deja.filter.DejaConfig;

/**
 * The filter over real Jetty in front of {@code origin}, on a real PostgreSQL store of the test
 * class's own, without an embedding model: for tests of exact caching, HTTP and faults, which
 * need no vectors and should not pay for loading a model.
 */
public final class ExactCacheHarness implements AutoCloseable {

  public final TestStores.Store store;
  public final DejaCache cache;
  public final FilterHarness http;

  private ExactCacheHarness(TestStores.Store store, DejaCache cache, FilterHarness http) {
    this.store = store;
    this.cache = cache;
    this.http = http;
  }

  /** Starts with {@code config} (semantic lookup turned off) in front of {@code origin}. */
  public static ExactCacheHarness start(
      Class<?> testClass, DejaConfig.Builder config, TestOrigin origin) throws Exception {
    DejaConfig c = config.semantic(false).build();
    TestStores.Store store = TestStores.open(testClass, 384);
    DejaCache cache =
        DejaCache.builder()
            .config(c)
            .store(store.cacheStore())
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
