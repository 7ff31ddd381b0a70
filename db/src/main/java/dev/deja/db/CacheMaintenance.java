package dev.deja.db;

import java.time.Duration;
import java.util.List;

/**
 * The management half of the storage contract: what an operator or the eviction job does to the
 * cache, as opposed to what a request does ({@link CacheStore}). Every {@link CacheStore} is also
 * a {@code CacheMaintenance}, so a host (the Jetty gateway, an admin tool) manages any store
 * without knowing which one it is.
 *
 * <p>None of these operations touches an in-memory tier in front of the store; the caller clears
 * it after a deletion. Every method may throw {@link CacheUnavailableException}.
 */
public interface CacheMaintenance {

  /**
   * Deletes the entry stored under {@code key} and every alias that serves its image. The image
   * bytes stay until {@link #deleteOrphanBlobs} (another entry may share them).
   *
   * @return whether an entry of that key existed
   */
  boolean delete(String key);

  /** Deletes the entries matching every set field of {@code criteria}, and their aliases. */
  int purge(PurgeCriteria criteria);

  /**
   * Deletes up to {@code batchSize} entries that expired more than {@code keepFor} ago. Entries
   * expired less than that are kept: they are served if the origin fails ({@code stale-if-error}).
   *
   * @return the keys deleted (entries and aliases); fewer than {@code batchSize} means none are
   *     left
   */
  List<String> deleteExpired(Duration keepFor, int batchSize);

  /** Deletes up to {@code batchSize} expired entries, none kept for stale-if-error. */
  default List<String> deleteExpired(int batchSize) {
    return deleteExpired(Duration.ZERO, batchSize);
  }

  /**
   * Deletes entries, least recently hit first (an entry never hit counts from its creation), until
   * the image bytes still referenced fit in {@code budgetBytes}; at most {@code batchSize} per
   * call. Images left unreferenced by these deletions go with them.
   *
   * @return the keys of the entries deleted (their aliases went with them)
   */
  List<String> evictToByteBudget(long budgetBytes, int batchSize);

  /** Deletes up to {@code batchSize} images that no entry references; returns how many. */
  int deleteOrphanBlobs(int batchSize);

  /**
   * Deletes up to a batch of objects in the object store that no image references any more and
   * that are older than the store's grace period; 0 for a store without an object store.
   */
  int sweepUnreferencedObjects(int batchSize);

  /**
   * Moves up to {@code batchSize} images into the object store ({@code toObjectStore}) or back
   * into the database, while the cache serves; 0 means none are left to move.
   */
  int migrateImages(boolean toObjectStore, int batchSize);

  /**
   * Starts, in the background, one pass of the store's index upkeep and returns at once: for
   * PostgreSQL, partial HNSW indexes built for partitions that grew large and dropped for ones
   * that shrank or went cold (docs/DATABASE.md). Call it periodically, e.g. with each eviction
   * pass; a store without such indexes does nothing.
   */
  default void maintainIndexes() {}

  /** How many images, and bytes, the database and the object store hold. */
  ImagePlacement imagePlacement();

  /** Entry, alias and image counts, and the bytes of the stored images. */
  CacheStats stats();

  /**
   * A page of the entries and aliases matching {@code filter}, newest first (ties by key), for an
   * operator to find what to delete or purge. Expired entries are listed until they are deleted.
   *
   * @param limit at most this many, at least 1
   * @param offset how many matching entries to skip, at least 0
   */
  List<EntrySummary> list(EntryFilter filter, int limit, int offset);

  /**
   * The operator's audit of served semantic hits, entries and verdicts (the console). A store
   * that keeps no such record throws {@link UnsupportedOperationException}.
   */
  default CacheAudit audit() {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " keeps no audit of served matches; the console needs the PostgreSQL store");
  }
}
