package dev.deja.filter.match;

/**
 * The single decision function for semantic hits: similarity threshold, then the match guard.
 *
 * <p>The filter, {@code explain} and the precision harness all call this, so a measured operating
 * point is exactly what production does.
 */
public interface SemanticMatcher {

  /** Threshold applied when the request does not ask for a stricter one. */
  double threshold();

  /**
   * The one rule for a threshold a request asks for: it may tighten {@link #threshold()}, never
   * loosen it, and never beyond 1; NaN means "not asked".
   */
  default double effectiveThreshold(double asked) {
    return Double.isNaN(asked) ? threshold() : Math.min(1.0, Math.max(threshold(), asked));
  }

  /**
   * Decides whether the cached prompt may stand in for the requested one.
   *
   * @param requestPrompt the prompt of the incoming request, as sent
   * @param cachedPrompt the prompt of the nearest cached entry, as it was sent
   * @param similarity cosine similarity of their embeddings
   * @param threshold effective threshold (never lower than {@link #threshold()})
   */
  MatchVerdict decide(String requestPrompt, String cachedPrompt, double similarity, double threshold);

  /**
   * The decisions for one request against its candidates, for callers that judge several cached
   * prompts for the same request (the lookup loop, {@code explain}): an implementation may read
   * the request prompt once instead of once per candidate. Each verdict is exactly what {@link
   * #decide} gives for the same arguments. Meant for one thread and one request.
   */
  default Request forRequest(String requestPrompt) {
    return (cachedPrompt, similarity, threshold) ->
        decide(requestPrompt, cachedPrompt, similarity, threshold);
  }

  /** {@link #decide} with the request prompt fixed; see {@link #forRequest}. */
  @FunctionalInterface
  interface Request {
    MatchVerdict decide(String cachedPrompt, double similarity, double threshold);
  }
}
