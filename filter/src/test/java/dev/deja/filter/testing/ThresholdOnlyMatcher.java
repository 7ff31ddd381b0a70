package dev.deja.filter.testing;

import dev.deja.filter.match.MatchVerdict;
import dev.deja.filter.match.SemanticMatcher;

/** Similarity threshold without a guard, to test the filter's plumbing in isolation. */
public record ThresholdOnlyMatcher(double threshold) implements SemanticMatcher {

  @Override
  public MatchVerdict decide(
      String requestPrompt, String cachedPrompt, double similarity, double threshold) {
    return similarity >= Math.max(threshold, this.threshold)
        ? MatchVerdict.accept()
        : MatchVerdict.refuse("below-threshold");
  }
}
