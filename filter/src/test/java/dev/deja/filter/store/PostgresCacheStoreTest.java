package dev.deja.filter.store;

import dev.deja.db.CacheStore;
import dev.deja.filter.testing.TestStores;

/** The storage contract on real PostgreSQL + pgvector, an isolated schema per test. */
class PostgresCacheStoreTest extends CacheStoreContract {

  private TestStores.Store database;

  @Override
  CacheStore openStore() {
    database = TestStores.open(getClass(), DIMENSION);
    return database.cacheStore();
  }

  @Override
  void closeStore() {
    database.close();
  }
}
