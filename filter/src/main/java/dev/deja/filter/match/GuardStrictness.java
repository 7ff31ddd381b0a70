package dev.deja.filter.match;

/**
 * How much the match guard demands beyond the similarity threshold.
 *
 * <p>Every level except {@link #OFF} refuses count, negation, spatial-relation and
 * attribute-binding disagreements: those are never a matter of taste. The levels differ in how much
 * word-order change and how much content-word change they tolerate, and in how much overlap they
 * ask of prompts they cannot read with the English word lists (other languages, other scripts).
 */
public enum GuardStrictness {
  /** No guard: the similarity threshold alone decides. For comparison and emergencies only. */
  OFF(Integer.MAX_VALUE, Integer.MAX_VALUE, 0.0, 0.0, false),
  /** Hard checks, and word-order changes only when several words move out of their phrase. */
  LENIENT(2, 3, 0.0, 0.5, false),
  /** Hard checks, no single content word may move out of its phrase, moderate overlap. */
  STANDARD(0, 3, 0.5, 0.7, false),
  /** Hard checks, no word may move out of its phrase, high overlap, plurals must agree. */
  STRICT(0, Integer.MAX_VALUE, 0.75, 0.85, true);

  final int maxStrayMoves;
  final int minSafeBlock;
  final double minContentOverlap;
  final double minUnreadableOverlap;
  final boolean pluralsMustAgree;

  GuardStrictness(int maxStrayMoves, int minSafeBlock, double minContentOverlap,
      double minUnreadableOverlap, boolean pluralsMustAgree) {
    this.maxStrayMoves = maxStrayMoves;
    this.minSafeBlock = minSafeBlock;
    this.minContentOverlap = minContentOverlap;
    this.minUnreadableOverlap = minUnreadableOverlap;
    this.pluralsMustAgree = pluralsMustAgree;
  }
}
