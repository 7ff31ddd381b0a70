package dev.deja.filter.match;

/**
 * How much the match guard demands beyond the similarity threshold.
 *
 * <p>Every level except {@link #OFF} refuses count, negation, spatial-relation, attribute-binding
 * and opposite-word disagreements: those are never a matter of taste. The levels differ in how much
 * word-order change and content-word change they tolerate, and in how much overlap they ask of
 * prompts the English word lists cannot read (other languages, other scripts).
 *
 * <p>STRICT also asks more of the embedding when content words were added, dropped or replaced
 * ("houses" / "barns", "a cat on a sofa" / "a cat on a sofa with a dog"): such a pair needs a
 * cosine similarity of at least 0.94 whatever the threshold, 0.96 when the longer prompt has at
 * most {@value #SHORT_PROMPT_WORDS} content words; below that only prompts with the same content
 * words (reordered where allowed, other function words, style or punctuation) are served. The bars
 * were calibrated on the bundled BGE-small models (docs/PRECISION.md); with a model whose
 * similarities run lower, use STANDARD or recalibrate.
 *
 * <table>
 *   <caption>What each level tolerates</caption>
 *   <tr><th>level</th><th>stray moves</th><th>one-place moves</th><th>moved runs forgiven</th>
 *       <th>content overlap (English / other)</th><th>plurals</th>
 *       <th>changed content words need similarity</th></tr>
 *   <tr><td>LENIENT</td><td>2</td><td>2</td><td>whole phrases, or 3+ words</td>
 *       <td>0 / 0.5</td><td>free</td><td>-</td></tr>
 *   <tr><td>STANDARD</td><td>0</td><td>1</td><td>whole phrases</td><td>0.5 / 0.7</td>
 *       <td>free</td><td>-</td></tr>
 *   <tr><td>STRICT</td><td>0</td><td>0</td><td>whole phrases</td><td>0.75 / 0.85</td>
 *       <td>agree after a determiner ("the dog" / "the dogs")</td><td>0.94 (0.96 for short
 *       prompts)</td></tr>
 * </table>
 */
public enum GuardStrictness {
  /** No guard: the similarity threshold alone decides. For comparison and emergencies only. */
  OFF(Integer.MAX_VALUE, Integer.MAX_VALUE, 1, 0.0, 0.0, false, -1.0, -1.0),
  /** Hard checks; tolerates a couple of moved words. */
  LENIENT(2, 2, 3, 0.0, 0.5, false, -1.0, -1.0),
  /** Hard checks; no word may leave its phrase, one word may move by one place. */
  STANDARD(0, 1, Integer.MAX_VALUE, 0.5, 0.7, false, -1.0, -1.0),
  /**
   * Hard checks; no word may move except whole coordinated phrases; plurals must agree; changed
   * content words need similarity 0.94 (0.96 in short prompts).
   */
  STRICT(0, 0, Integer.MAX_VALUE, 0.75, 0.85, true, 0.94, 0.96);

  /** Prompts with at most this many content words are short: one changed word matters more. */
  public static final int SHORT_PROMPT_WORDS = 6;

  final int maxStrayMoves;
  final int maxLocalMoves;
  final int minSafeBlock;
  final double minContentOverlap;
  final double minUnreadableOverlap;
  final boolean pluralsMustAgree;
  final double changedContentSimilarity;
  final double shortChangedContentSimilarity;

  GuardStrictness(int maxStrayMoves, int maxLocalMoves, int minSafeBlock,
      double minContentOverlap, double minUnreadableOverlap, boolean pluralsMustAgree,
      double changedContentSimilarity, double shortChangedContentSimilarity) {
    this.maxStrayMoves = maxStrayMoves;
    this.maxLocalMoves = maxLocalMoves;
    this.minSafeBlock = minSafeBlock;
    this.minContentOverlap = minContentOverlap;
    this.minUnreadableOverlap = minUnreadableOverlap;
    this.pluralsMustAgree = pluralsMustAgree;
    this.changedContentSimilarity = changedContentSimilarity;
    this.shortChangedContentSimilarity = shortChangedContentSimilarity;
  }
}
