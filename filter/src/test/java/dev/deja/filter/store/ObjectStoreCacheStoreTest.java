package dev.deja.filter.store;

import dev.deja.db.CacheStore;
import dev.deja.filter.testing.TestStores;

/**
 * The storage contract with images in a real S3 API server (S3Mock) and rows in PostgreSQL: every
 * behaviour the in-memory and the bytea stores show, this one shows too.
 */
class ObjectStoreCacheStoreTest extends CacheStoreContract {

  private TestStores.Store database;

  @Override
  CacheStore openStore() {
    database = TestStores.openWithObjectStore(getClass(), DIMENSION);
    return database.cacheStore();
  }

  @Override
  void closeStore() {
    database.close();
  }
}
