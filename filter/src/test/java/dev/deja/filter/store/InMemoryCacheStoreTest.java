package dev.deja.filter.store;

/** The storage contract on the heap: no database, milliseconds per test. */
class InMemoryCacheStoreTest extends CacheStoreContract {

  @Override
  CacheStore openStore() {
    return new InMemoryCacheStore();
  }
}
