package dev.deja.filter.match;

/**
 * How much the match guard demands beyond the similarity threshold.
 *
 * <p>Every level except {@link #OFF} refuses count, negation, spatial-relation and
 * attribute-binding disagreements: those are never a matter of taste. The levels differ in how much
 * word-order change and content-word change they tolerate, and in how much overlap they ask of
 * prompts the English word lists cannot read (other languages, other scripts).
 *
 * <table>
 *   <caption>What each level tolerates</caption>
 *   <tr><th>level</th><th>stray moves</th><th>one-place moves</th><th>moved runs forgiven</th>
 *       <th>content overlap (English / other)</th><th>plurals</th></tr>
 *   <tr><td>LENIENT</td><td>2</td><td>2</td><td>whole phrases, or 3+ words</td>
 *       <td>0 / 0.5</td><td>free</td></tr>
 *   <tr><td>STANDARD</td><td>0</td><td>1</td><td>whole phrases</td><td>0.5 / 0.7</td>
 *       <td>free</td></tr>
 *   <tr><td>STRICT</td><td>0</td><td>0</td><td>whole phrases</td><td>0.75 / 0.85</td>
 *       <td>must agree</td></tr>
 * </table>
 */
public enum GuardStrictness {
  /** No guard: the similarity threshold alone decides. For comparison and emergencies only. */
  OFF(Integer.MAX_VALUE, Integer.MAX_VALUE, 1, 0.0, 0.0, false),
  /** Hard checks; tolerates a couple of moved words. */
  LENIENT(2, 2, 3, 0.0, 0.5, false),
  /** Hard checks; no word may leave its phrase, one word may move by one place. */
  STANDARD(0, 1, Integer.MAX_VALUE, 0.5, 0.7, false),
  /** Hard checks; no word may move except whole coordinated phrases; plurals must agree. */
  STRICT(0, 0, Integer.MAX_VALUE, 0.75, 0.85, true);

  final int maxStrayMoves;
  final int maxLocalMoves;
  final int minSafeBlock;
  final double minContentOverlap;
  final double minUnreadableOverlap;
  final boolean pluralsMustAgree;

  GuardStrictness(int maxStrayMoves, int maxLocalMoves, int minSafeBlock,
      double minContentOverlap, double minUnreadableOverlap, boolean pluralsMustAgree) {
    this.maxStrayMoves = maxStrayMoves;
    this.maxLocalMoves = maxLocalMoves;
    this.minSafeBlock = minSafeBlock;
    this.minContentOverlap = minContentOverlap;
    this.minUnreadableOverlap = minUnreadableOverlap;
    this.pluralsMustAgree = pluralsMustAgree;
  }
}
