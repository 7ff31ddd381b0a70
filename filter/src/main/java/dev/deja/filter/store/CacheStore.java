package dev.deja.filter.store;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where cached images live. The filter core sees only this interface; PostgreSQL is one
 * implementation ({@link PostgresCacheStore}).
 *
 * <p>Every method may throw {@link StoreUnavailableException}; the filter then answers from the
 * origin. Implementations must be thread-safe.
 */
public interface CacheStore extends AutoCloseable {

  /** The fresh entry stored under {@code key}, following aliases to their image. */
  Optional<CachedImage> findExact(String key);

  /**
   * As {@link #findExact}, also returning an entry that expired less than {@code staleFor} ago, to
   * be served only if the origin fails ({@code stale-if-error}). Stores that keep nothing expired
   * may leave the default.
   */
  default Optional<CachedImage> findExactOrStale(String key, java.time.Duration staleFor) {
    return findExact(key);
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
  List<Candidate> findNearest(
      String bucket, String model, String embeddingModelId, float[] vector, int k);

  /** Stores an origin response (blob and entry atomically). A concurrent duplicate is a no-op. */
  void store(NewEntry entry);

  /** Records an alias after a semantic hit. A concurrent duplicate is a no-op. */
  void storeAlias(NewAlias alias);

  /** Adds hit counts; called in batches from a background thread. */
  void recordHits(Collection<HitRecord> hits);

  /** Adds request outcomes to the daily counters; called in batches from a background thread. */
  void recordOutcomes(OutcomeCounts counts);

  @Override
  void close();
}
