package dev.deja.filter.lookup;

import dev.deja.filter.match.MatchVerdict;
import dev.deja.filter.store.Candidate;
import dev.deja.filter.store.CachedImage;

/** The outcome of looking a request up, before the origin is involved. */
public sealed interface LookupResult {

  /** Time spent, for {@code Server-Timing}. */
  Timings timings();

  /** The same normalized request was stored before. */
  record ExactHit(CachedImage image, Timings timings) implements LookupResult {}

  /**
   * A prompt that means the same, in the same partition, passed threshold and guard.
   *
   * @param embedding the request prompt's vector, kept for the alias
   */
  record SemanticHit(
      CachedImage image,
      Candidate candidate,
      double threshold,
      MatchVerdict verdict,
      float[] embedding,
      Timings timings)
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
   */
  record Miss(
      float[] embedding,
      Candidate best,
      MatchVerdict refusal,
      double threshold,
      String unavailable,
      Timings timings)
      implements LookupResult {}
}
