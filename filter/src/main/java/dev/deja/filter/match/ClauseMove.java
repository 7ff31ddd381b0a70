package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Kind;
import dev.deja.filter.match.PromptAnalysis.Token;
import java.util.List;

/**
 * Whether two orders differ by one whole adverbial clause moving as a block, everything else in
 * place: "after sunset, a fox walks across the frozen lake" / "a fox walks across the frozen lake
 * after sunset". English lets such a part open or close the sentence without changing who does
 * what; a noun phrase or a clause with its own subject cannot move like that.
 *
 * <p>After the common prefix and suffix of the aligned words, what remains must be U V on one side
 * and V U on the other; U or V must be a complete comma-separated part on one side that opens like
 * an adverbial (a preposition or subordinator from the word lists, or an -ly adverb); both must
 * hold at least {@value #MIN_MOVED_BLOCK} compared words and one at least {@value #MIN_CLAUSE}.
 * Two words or names trading places ("a X b Y" / "a Y b X", "a town, a country" / "a country, in
 * a town") is a swap, not a clause move; a prompt without commas never qualifies.
 */
final class ClauseMove {

  /** Fewest compared words on each side of a forgiven clause move. */
  static final int MIN_MOVED_BLOCK = 2;
  /** Fewest compared words in the larger of the two blocks of a forgiven clause move. */
  static final int MIN_CLAUSE = 4;

  private ClauseMove() {}

  static boolean moved(GuardPair pair, OrderAlignment al) {
    List<Token> x = al.x();
    List<Token> y = al.y();
    int n = x.size();
    if (n != y.size() || n < 2) {
      return false;
    }
    int p = 0;
    while (p < n && pair.key(x.get(p)).equals(pair.key(y.get(p)))) {
      p++;
    }
    int e = n;
    while (e > p && pair.key(x.get(e - 1)).equals(pair.key(y.get(e - 1)))) {
      e--;
    }
    if (e - p < 2) {
      return false;
    }
    PromptAnalysis a = pair.a();
    PromptAnalysis b = pair.b();
    // x[p, e) = U V and y[p, e) = V U with U = x[p, p + u)
    for (int u = 1; u < e - p; u++) {
      int v = e - p - u;
      boolean rotation = true;
      for (int k = 0; k < v && rotation; k++) {
        rotation = pair.key(x.get(p + u + k)).equals(pair.key(y.get(p + k)));
      }
      for (int k = 0; k < u && rotation; k++) {
        rotation = pair.key(x.get(p + k)).equals(pair.key(y.get(p + v + k)));
      }
      boolean blocks = Math.min(u, v) >= MIN_MOVED_BLOCK && Math.max(u, v) >= MIN_CLAUSE;
      if (rotation && blocks && (movable(a, x, p, p + u) || movable(a, x, p + u, e)
          || movable(b, y, p, p + v) || movable(b, y, p + v, e))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The run [start, end) is a whole comma-separated part that opens like an adverbial ("after
   * ...", "with the support of ...", "immediately after ..."): such parts move freely in English,
   * a noun phrase or a clause with its own subject does not.
   */
  private static boolean movable(PromptAnalysis p, List<Token> seq, int start, int end) {
    if (!wholeClause(seq, start, end)) {
      return false;
    }
    int clause = seq.get(start).clause;
    for (Token t : p.tokens) {
      if (t.clause == clause && t.kind != Kind.BREAK) {
        return Lexicon.ADVERBIAL_OPENERS.contains(t.text)
            || (t.text.length() > 4 && t.text.endsWith("ly"));
      }
    }
    return false;
  }

  /** The run [start, end) is every word of the comma-separated parts it spans. */
  private static boolean wholeClause(List<Token> seq, int start, int end) {
    boolean openBefore = start > 0 && seq.get(start - 1).clause == seq.get(start).clause;
    boolean openAfter = end < seq.size() && seq.get(end).clause == seq.get(end - 1).clause;
    return !openBefore && !openAfter;
  }
}
