package dev.deja.db;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes cache entries. Thread-safe. Every database failure surfaces as {@link
 * CacheUnavailableException}; lookups give up after {@link DatabaseConfig#lookupTimeout()}.
 */
public interface CacheRepository {

  /**
   * The non-expired entry stored under {@code cacheKey} with its image bytes. An alias returns the
   * image it shares with its target.
   */
  default Optional<StoredResponse> findExact(String cacheKey) {
    return findExactOrStale(cacheKey, Duration.ZERO);
  }

  /**
   * As {@link #findExact}, also returning an entry that expired less than {@code staleFor} ago
   * (RFC 5861 {@code stale-if-error}: served only when the origin fails). The caller checks
   * {@link StoredResponse#expiresAt()}.
   */
  Optional<StoredResponse> findExactOrStale(String cacheKey, Duration staleFor);

  /**
   * Whether {@link #findNearest} could return anything for this partition: one cheap indexed probe,
   * so a request in an empty partition (a fresh seed) skips computing an embedding at all.
   */
  boolean hasCandidates(String bucket, String model, String embeddingModelId);

  /**
   * The {@code k} most similar non-expired origin entries within exactly this partition ({@code
   * bucket}, {@code model}, {@code embeddingModelId}), most similar first. Never returns rows of
   * another partition, and never aliases.
   */
  List<Neighbor> findNearest(
      String bucket, String model, String embeddingModelId, float[] vector, int k);

  /**
   * Stores the image (deduplicated by SHA-256) and the entry in one transaction. Concurrent stores
   * of one key leave exactly one entry and never throw for the race.
   *
   * @param replace replace an existing entry of that key (the client sent {@code no-cache})
   */
  StoreOutcome store(NewEntry entry, byte[] image, boolean replace);

  /** Stores an alias sharing the target's image; concurrent calls leave one entry. */
  StoreOutcome storeAlias(NewAlias alias);

  /** Adds hits to the entries' counters and moves their last-hit time forward, in one batch. */
  void recordHits(Collection<HitRecord> hits);

  /** Adds request outcomes to the per-day counters, in one batch. */
  void recordOutcomes(Collection<DailyCounts> counts);

  /**
   * Deletes the entry of that key and the aliases that served its image (not its blob: see {@link
   * #deleteOrphanBlobs}).
   */
  boolean delete(String cacheKey);

  /** Deletes the entries matching all set fields, and aliases left without a target. */
  int purge(PurgeCriteria criteria);

  /** Deletes up to {@code batchSize} expired entries; returns how many. */
  default int deleteExpired(int batchSize) {
    return deleteExpired(Duration.ZERO, batchSize);
  }

  /**
   * Deletes up to {@code batchSize} entries that expired more than {@code keepFor} ago (expired
   * entries are kept that long to be served if the origin fails); returns how many.
   */
  int deleteExpired(Duration keepFor, int batchSize);

  /**
   * Deletes least-recently-hit entries (by {@code coalesce(last_hit, created)}) until the blobs
   * still referenced fit {@code budgetBytes}, at most {@code batchSize} per call, and the blobs
   * they leave unreferenced. Returns entries deleted.
   */
  int evictToByteBudget(long budgetBytes, int batchSize);

  /** Deletes up to {@code batchSize} blobs no entry references; returns how many. */
  int deleteOrphanBlobs(int batchSize);

  /**
   * Deletes objects of the object store that no image row references and that are older than
   * {@link DatabaseConfig#objectSweepGrace()} (so an object whose store has not committed yet is
   * never taken), looking at up to {@code batchSize} objects per call and continuing where the last
   * call ended. 0 without an object store.
   */
  int sweepUnreferencedObjects(int batchSize);

  /**
   * Moves up to {@code batchSize} images into the object store ({@code toObjectStore}) or back
   * into PostgreSQL, each copied and verified before its row switches; safe while serving and
   * resumable. Returns how many moved: 0 means none are left on the old side.
   */
  int migrateImages(boolean toObjectStore, int batchSize);

  /** How many images, and bytes, are in PostgreSQL and in the object store. */
  ImagePlacement imagePlacement();

  /** Entry, alias and blob counts and total blob bytes. */
  CacheStats stats();

  /**
   * A page of the entries and aliases matching {@code filter}, newest first (ties by key), expired
   * ones included until they are deleted.
   *
   * @param limit at most this many, at least 1
   * @param offset how many matching entries to skip, at least 0
   */
  List<EntrySummary> list(EntryFilter filter, int limit, int offset);
}
