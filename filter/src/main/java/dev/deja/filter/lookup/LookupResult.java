package dev.deja.filter.lookup;

import dev.deja.db.Neighbor;
import dev.deja.db.StoredResponse;
import dev.deja.filter.match.MatchVerdict;

/** The outcome of looking a request up, before the origin is involved. */
public sealed interface LookupResult {

  /** Time spent, for {@code Server-Timing}. */
  Timings timings();

  /** The same normalized request was stored before. */
  record ExactHit(StoredResponse image, Timings timings) implements LookupResult {}

  /**
   * A prompt that means the same, in the same partition, passed threshold and guard.
   *
   * @param embedding the request prompt's vector, kept for the alias
   * @param readStarted when the store's search began ({@code HotCache.readStarts}): the alias
   *     kept in memory must not outlive a deletion of the image that reached us since
   */
  record SemanticHit(
      StoredResponse image,
      Neighbor candidate,
      double threshold,
      MatchVerdict verdict,
      float[] embedding,
      Timings timings,
      long readStarted)
      implements LookupResult {}

  /**
   * Nothing to serve.
   *
   * @param embedding the request prompt's vector when it was computed (reused for the store), else
   *     null
   * @param best the most similar candidate that was refused, or null when there was none
   * @param refusal why {@code best} was refused, or null
   * @param threshold the effective threshold
   * @param unavailable why the cache could not be asked (e.g. {@code cache-unavailable}), or null
   *     when it answered
   * @param stale the request's own entry, expired but inside the {@code stale-if-error} window:
   *     served only if the origin fails; null when there is none
   */
  record Miss(
      float[] embedding,
      Neighbor best,
      MatchVerdict refusal,
      double threshold,
      String unavailable,
      Timings timings,
      StoredResponse stale)
      implements LookupResult {

    /** This miss, with an expired entry that may stand in if the origin fails. */
    public Miss withStale(StoredResponse image) {
      return new Miss(embedding, best, refusal, threshold, unavailable, timings, image);
    }
  }
}
