package dev.deja.db;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where cached images live: the request half of the storage contract, with the management half
 * inherited from {@link CacheMaintenance}. The filter and its host see only these interfaces; the
 * PostgreSQL + pgvector store ({@link DejaDatabase#repository()}, images as bytea or in an object
 * store) and the filter's in-memory store implement them, and all pass one contract test suite.
 *
 * <p>Every method may throw {@link CacheUnavailableException}; the filter then answers from the
 * origin. Implementations must be thread-safe. The PostgreSQL store gives up on a lookup after
 * {@link DatabaseConfig#lookupTimeout()} and on anything else after {@link
 * DatabaseConfig#storeTimeout()}.
 */
public interface CacheStore extends CacheMaintenance, AutoCloseable {

  /**
   * Entries were deleted a moment ago, by this instance or another (its message just arrived):
   * from now on lookups must not read a copy of the store older than this moment, such as a
   * lagging read replica, which would still serve them (and refill the in-memory tier with them).
   * Stores that read only their own primary do nothing.
   */
  default void afterDeletion() {}

  /** The fresh entry stored under {@code key}, following aliases to their image. */
  default Optional<StoredResponse> findExact(String key) {
    return findExactOrStale(key, java.time.Duration.ZERO);
  }

  /**
   * As {@link #findExact}, also returning an entry that expired less than {@code staleFor} ago, to
   * be served only if the origin fails ({@code stale-if-error}). The caller checks {@link
   * StoredResponse#isFresh}.
   */
  Optional<StoredResponse> findExactOrStale(String key, java.time.Duration staleFor);

  /**
   * How far behind the store's latest committed deletion the data of a read may be: zero when
   * every read sees every committed deletion; with a lagging read replica, the replica's lag
   * bound. An instance keeps no image in memory that was read this long before a deletion it
   * heard of, since the read may not have seen it.
   */
  default java.time.Duration readStaleness() {
    return java.time.Duration.ZERO;
  }

  /**
   * Whether this bucket, model and embedding model hold any semantic candidate; lets a request in
   * an empty partition skip the embedding.
   */
  boolean hasCandidates(String bucket, String model, String embeddingModelId);

  /**
   * The {@code k} entries nearest to {@code vector} inside exactly this bucket, model and embedding
   * model, most similar first. Aliases and expired entries are never candidates.
   */
  List<Neighbor> findNearest(
      String bucket, String model, String embeddingModelId, float[] vector, int k);

  /**
   * Stores an origin response (image and entry atomically). A concurrent duplicate is a no-op,
   * unless {@code replace} is set (the client sent {@code no-cache}): then it replaces the
   * existing entry and drops the aliases of the old image. An expired entry under the key always
   * gives way. An entry without an embedding is exact-only.
   *
   * @param body the complete response body, stored once however many entries share it
   * @param replace replace a live entry of the same key
   * @return what happened, for the caller's counters
   */
  StoreOutcome store(NewEntry entry, byte[] body, boolean replace);

  /**
   * Records an alias after a semantic hit. A concurrent duplicate is a no-op, and so is an alias
   * whose target is missing or expired. The alias never outlives its target.
   */
  StoreOutcome storeAlias(NewAlias alias);

  /** Adds hit counts; called in batches from a background thread. */
  void recordHits(Collection<HitRecord> hits);

  /**
   * Adds request outcomes to the daily counters, in one batch; several servers add to the same
   * day. Called from a background thread.
   */
  void recordOutcomes(Collection<DailyCounts> counts);

  /**
   * Releases what the store owns. The PostgreSQL store's pool belongs to its {@link DejaDatabase},
   * which closes it.
   */
  @Override
  void close();
}
