package dev.deja.filter.match;

import dev.deja.filter.settings.Range;
import java.util.Objects;

/**
 * The production {@link SemanticMatcher}: a cosine-similarity threshold, then the
 * {@link MatchGuard}.
 *
 * <pre>{@code
 * SemanticMatcher matcher = GuardedMatcher.of(MatchPreset.BALANCED);
 * MatchVerdict v = matcher.decide(request, cached, similarity, matcher.threshold());
 * // v.reason(): "ok", "below-threshold", "number-mismatch", "attribute-mismatch", ...
 * }</pre>
 *
 * <p>Thread-safe. Its only state is the guard's bounded cache of prompt analyses ({@link
 * PromptAnalyses}): a stored prompt is analysed once while it stays cached, not once per
 * comparison. A decision allocates a little and takes microseconds.
 */
public final class GuardedMatcher implements SemanticMatcher {

  /** Reason given when the similarity is below the effective threshold. */
  public static final String BELOW_THRESHOLD = "below-threshold";

  private final double threshold;
  private final MatchGuard guard;

  /**
   * The thresholds a matcher accepts, and the configuration's {@code threshold} setting with it: a
   * cosine similarity above 0 (a threshold of 0 or below would serve unrelated prompts) and at
   * most 1.
   */
  public static final Range<Double> THRESHOLDS = Range.above(0.0).atMost(1.0);

  /** {@link #THRESHOLDS} in words, for error messages. */
  public static final String THRESHOLD_RULE = THRESHOLDS.rule();

  private GuardedMatcher(double threshold, GuardStrictness strictness) {
    if (!isValidThreshold(threshold)) {
      throw new IllegalArgumentException("threshold " + THRESHOLD_RULE + ", was " + threshold);
    }
    this.threshold = threshold;
    this.guard = new MatchGuard(Objects.requireNonNull(strictness, "strictness"));
  }

  /** True when {@code threshold} is within {@link #THRESHOLDS}; false for NaN. */
  public static boolean isValidThreshold(double threshold) {
    return !Double.isNaN(threshold) && THRESHOLDS.contains(threshold);
  }

  /** The matcher of a named preset. */
  public static GuardedMatcher of(MatchPreset preset) {
    Objects.requireNonNull(preset, "preset");
    return new GuardedMatcher(preset.threshold(), preset.strictness());
  }

  /** The default preset, {@link MatchPreset#DEFAULT}. */
  public static GuardedMatcher defaults() {
    return of(MatchPreset.DEFAULT);
  }

  /**
   * A custom operating point.
   *
   * @throws IllegalArgumentException when the threshold is not in (0, 1] ({@link
   *     #isValidThreshold})
   */
  public static GuardedMatcher custom(double threshold, GuardStrictness strictness) {
    return new GuardedMatcher(threshold, strictness);
  }

  @Override
  public double threshold() {
    return threshold;
  }

  public GuardStrictness strictness() {
    return guard.strictness();
  }

  /**
   * {@value #BELOW_THRESHOLD} when {@code similarity} is below the effective threshold, else the
   * guard's verdict. The effective threshold is {@link #effectiveThreshold(double)}: a request may
   * tighten the configured threshold, never loosen it; NaN counts as "not given".
   */
  @Override
  public MatchVerdict decide(String requestPrompt, String cachedPrompt, double similarity,
      double threshold) {
    return forRequest(requestPrompt).decide(cachedPrompt, similarity, threshold);
  }

  /**
   * The request prompt is analysed at most once, when the first candidate reaches the threshold,
   * however many candidates are judged.
   */
  @Override
  public Request forRequest(String requestPrompt) {
    MatchGuard.Request request = guard.forRequest(requestPrompt);
    return (cachedPrompt, similarity, threshold) -> {
      if (!(similarity >= effectiveThreshold(threshold))) {
        return MatchVerdict.refuse(BELOW_THRESHOLD);
      }
      return request.check(cachedPrompt, similarity);
    };
  }

  @Override
  public String toString() {
    return "GuardedMatcher[threshold=" + threshold + ", strictness=" + guard.strictness() + "]";
  }
}
