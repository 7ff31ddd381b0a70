package dev.deja.filter.testing;

import dev.deja.filter.DejaConfig;
import dev.deja.filter.match.SemanticMatcher;
import dev.deja.filter.store.CacheStore;

/** The store and matcher the filter tests run against. */
public final class TestStores {

  private TestStores() {}

  /** A store the test can take down and bring back. */
  public interface Store extends AutoCloseable {
    CacheStore cacheStore();

    void down(boolean down);

    @Override
    void close();
  }

  public static Store open(Class<?> testClass, int dimension) {
    InMemoryCacheStore store = new InMemoryCacheStore();
    return new Store() {
      @Override
      public CacheStore cacheStore() {
        return store;
      }

      @Override
      public void down(boolean down) {
        store.down(down);
      }

      @Override
      public void close() {}
    };
  }

  public static SemanticMatcher matcher(DejaConfig config) {
    return new ThresholdOnlyMatcher(0.93);
  }
}
