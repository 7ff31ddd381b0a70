package dev.deja.filter.match;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.deja.filter.text.Normalize;

/**
 * The analyses a {@link MatchGuard} has made, so that a prompt met again (a stored entry that is
 * the nearest neighbour of many requests, a request repeated) is analysed once, not once per
 * comparison. Keyed by the guard-normalized text ({@link Normalize#forGuard}), which is all an
 * analysis depends on besides the word lists fixed at class loading; {@link PromptAnalysis} is
 * immutable, so one analysis is shared freely across requests and threads.
 *
 * <p>Bounded by the characters of the cached texts, not the entry count, because an analysis
 * grows with its prompt (about 25 bytes of heap per character measured on the evaluation prompts:
 * 1.7 KB for a typical 67-character prompt) and a prompt may be up to {@code maxPromptChars} long.
 * {@value #DEFAULT_MAX_CHARS} characters hold about 6,000 typical prompts in about 10 MB. That is
 * enough: a request is compared with a handful of nearest neighbours, the prompts worth keeping are
 * the popular ones, and a miss costs only one analysis (some microseconds, against the
 * milliseconds of the lookup around it), so a larger cache would buy little.
 */
final class PromptAnalyses {

  /** Default bound: total characters of the normalized texts held (about 10 MB of analyses). */
  static final long DEFAULT_MAX_CHARS = 400_000;

  private final Cache<String, PromptAnalysis> cache;

  PromptAnalyses() {
    this(DEFAULT_MAX_CHARS);
  }

  PromptAnalyses(long maxChars) {
    if (maxChars < 0) {
      throw new IllegalArgumentException("maxChars must be >= 0, was " + maxChars);
    }
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxChars)
        .weigher((String text, PromptAnalysis analysis) -> Math.max(1, text.length()))
        .executor(Runnable::run)
        .build();
  }

  /** The analysis of a prompt as sent, made at most once while it stays cached. */
  PromptAnalysis of(String prompt) {
    return cache.get(Normalize.forGuard(prompt), PromptAnalysis::ofNormalized);
  }

  /** Analyses held now (approximate, for tests and diagnostics). */
  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }
}
