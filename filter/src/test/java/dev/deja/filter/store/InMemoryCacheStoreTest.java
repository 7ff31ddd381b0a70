package dev.deja.filter.store;

import dev.deja.db.CacheStore;

/** The storage contract on the heap: no database, milliseconds per test. */
class InMemoryCacheStoreTest extends CacheStoreContract {

  @Override
  CacheStore openStore() {
    return new InMemoryCacheStore();
  }
}
