package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Token;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every {@link GuardCheck} sees: the request's analysis {@code a}, the cached prompt's
 * analysis {@code b}, the cosine similarity of their embeddings and the strictness, plus what is
 * derived from the pair and shared by several checks (computed once, on first use).
 *
 * <p>Neither analysis is changed: spelling variants ({@link SpellingVariants}) are a mapping from
 * the request's tokens to the stems they take, read through {@link #stem(Token)} and {@link
 * #key(Token)}. The request's analysis is reused for every candidate of a request, so it must not
 * carry anything of one pair into the next. Not thread-safe: one pair, one thread.
 */
final class GuardPair {
  private final PromptAnalysis a;
  private final PromptAnalysis b;
  private final double similarity;
  private final GuardStrictness strictness;
  private Map<Token, SpellingVariants.Fold> folds;
  private int commonStems = -1;

  GuardPair(PromptAnalysis a, PromptAnalysis b, double similarity, GuardStrictness strictness) {
    this.a = a;
    this.b = b;
    this.similarity = similarity;
    this.strictness = strictness;
  }

  /** The request prompt's analysis. */
  PromptAnalysis a() {
    return a;
  }

  /** The cached prompt's analysis. */
  PromptAnalysis b() {
    return b;
  }

  double similarity() {
    return similarity;
  }

  GuardStrictness strictness() {
    return strictness;
  }

  /** Both analyses could be read by the English word lists. */
  boolean readable() {
    return a.englishLike && b.englishLike;
  }

  private Map<Token, SpellingVariants.Fold> folds() {
    if (folds == null) {
      folds = SpellingVariants.fold(a.content, b.content);
    }
    return folds;
  }

  /** The token's stem, a spelling variant of the request folded onto the cached prompt's word. */
  String stem(Token t) {
    SpellingVariants.Fold f = folds().get(t);
    return f == null ? t.stem : f.stem();
  }

  /** What the order check compares ({@link Token#key()}), spelling variants folded. */
  String key(Token t) {
    SpellingVariants.Fold f = folds().get(t);
    if (f == null) {
      return t.key();
    }
    return f.orderKey() != null ? f.orderKey() : f.stem();
  }

  /** Size of the multiset intersection of the two sides' content stems, variants folded. */
  int commonStems() {
    if (commonStems < 0) {
      commonStems = commonStems(a.content, b.content);
    }
    return commonStems;
  }

  private int commonStems(List<Token> x, List<Token> y) {
    Map<String, Integer> counts = new HashMap<>();
    for (Token t : x) {
      counts.merge(stem(t), 1, Integer::sum);
    }
    int common = 0;
    for (Token t : y) {
      Integer c = counts.get(stem(t));
      if (c != null && c > 0) {
        common++;
        counts.put(stem(t), c - 1);
      }
    }
    return common;
  }
}
