package dev.deja.filter.match;

/**
 * Named operating points for {@link GuardedMatcher}: a similarity threshold and a guard strictness,
 * calibrated for the bundled BGE-small-en-v1.5 models by the precision harness
 * ({@code dev.deja.bench.precision.PrecisionHarness}; numbers and reasoning in docs/PRECISION.md).
 */
public enum MatchPreset {
  /** Fewest wrong images: PAWS false-positive rate 1.7% (49.5% recall); serves under a third of
   *  BALANCED's image-prompt hits. */
  STRICT(0.95, GuardStrictness.STRICT),
  /** The default: no measured attribute/count/relation/negation swap served, 83% image-prompt
   *  paraphrase recall; PAWS 50.3% recall at 1.8% false-positive rate. */
  BALANCED(0.85, GuardStrictness.STRICT),
  /** More hits, more wrong images: PAWS 6.2% false positives, a few swaps get through (see
   *  docs/PRECISION.md). */
  AGGRESSIVE(0.82, GuardStrictness.STANDARD);

  /** The preset used when nothing is configured. */
  public static final MatchPreset DEFAULT = BALANCED;

  private final double threshold;
  private final GuardStrictness strictness;

  MatchPreset(double threshold, GuardStrictness strictness) {
    this.threshold = threshold;
    this.strictness = strictness;
  }

  /** Minimum cosine similarity for a semantic hit. */
  public double threshold() {
    return threshold;
  }

  /** How much the guard demands beyond the threshold. */
  public GuardStrictness strictness() {
    return strictness;
  }
}
