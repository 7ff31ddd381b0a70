package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Kind;
import dev.deja.filter.match.PromptAnalysis.Token;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@value MatchGuard#WORD_ORDER}: content words moved out of their phrase (a swap). Reordering
 * whole coordinated phrases ("a cat and a dog" / "a dog and a cat") is fine, and so is one whole
 * comma-separated clause that opens like an adverbial moving as a block ("after sunset, a fox walks
 * across the lake" / "a fox walks across the lake after sunset"). How many stray and one-place
 * moves are tolerated, and from what length a moved run is forgiven, is the strictness's.
 *
 * <p>Two rules share this reason. Besides the moves, <b>the years rule</b> lives here: when a
 * phrase moved as a block, the years must stay bound to the same words, because phrases that trade
 * places take their years along ("retired in 1884 and died in 1885" / "retired in 1885 and died
 * in 1884"). It only applies after a forgiven block move, so it is part of this check rather than
 * a check of its own. Spelling variants one letter apart count as one word ({@link GuardPair#key}).
 */
final class WordOrderCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.WORD_ORDER;
  }

  @Override
  public String summary() {
    return "content words moved out of their phrase, or moved phrases left their years behind";
  }

  @Override
  public boolean passes(GuardPair p) {
    PromptAnalysis a = p.a();
    PromptAnalysis b = p.b();
    GuardStrictness strictness = p.strictness();
    int[] moves = moves(p, a.ordered, b.ordered);
    boolean blockMoved = moves[2] > 0;
    if (moves[0] > strictness.maxStrayMoves || moves[1] > strictness.maxLocalMoves) {
      if (!clauseMoved(p)) {
        return false;
      }
      blockMoved = true;
    }
    // phrases that trade places take their years along ("retired in 1884 and died in 1885")
    return !blockMoved || Bindings.sameBindings(a.years, b.years, false);
  }

  /**
   * Content words (and role-marking prepositions) that changed position relative to the others.
   * Both sides are reduced to their shared words and aligned by longest common subsequence. A run
   * of unaligned words is forgiven when it is a whole chunk (a coordinated or comma-separated
   * phrase moved as a unit) or at least {@code minSafeBlock} words long; a single word that moved
   * by one place ("stable financially" / "financially stable") is a local move; everything else
   * is a stray move.
   *
   * @return {stray moves, local moves, forgiven runs (whole phrases or long blocks)}
   */
  static int[] moves(GuardPair p, List<Token> a, List<Token> b) {
    List<Token> x = shared(p, a, b);
    List<Token> y = shared(p, b, a);
    if (x.isEmpty() || y.isEmpty()) {
      return new int[3];
    }
    int n = x.size();
    int m = y.size();
    int[][] lcs = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lcs[i][j] = p.key(x.get(i)).equals(p.key(y.get(j)))
            ? lcs[i + 1][j + 1] + 1
            : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    boolean[] alignedX = new boolean[n];
    boolean[] alignedY = new boolean[m];
    int i = 0;
    int j = 0;
    while (i < n && j < m) {
      if (p.key(x.get(i)).equals(p.key(y.get(j)))) {
        alignedX[i++] = true;
        alignedY[j++] = true;
      } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
        i++;
      } else {
        j++;
      }
    }
    int[] mx = stray(p, x, alignedX, y, alignedY);
    int[] my = stray(p, y, alignedY, x, alignedX);
    return new int[] {Math.max(mx[0], my[0]), Math.max(mx[1], my[1]), mx[2] + my[2]};
  }

  private static int[] stray(GuardPair p, List<Token> seq, boolean[] aligned, List<Token> other,
      boolean[] otherAligned) {
    // occurrences beyond the other side's count are extra words, not moved ones
    Map<String, Integer> excess = new HashMap<>();
    for (Token t : seq) {
      excess.merge(p.key(t), 1, Integer::sum);
    }
    for (Token t : other) {
      excess.computeIfPresent(p.key(t), (k, v) -> v - 1);
    }
    int stray = 0;
    int local = 0;
    int chunkMoves = 0;
    int k = 0;
    int n = seq.size();
    while (k < n) {
      if (aligned[k]) {
        k++;
        continue;
      }
      int start = k;
      while (k < n && !aligned[k]) {
        k++;
      }
      int len = k - start;
      if (len >= p.strictness().minSafeBlock || wholeChunks(seq, start, k)) {
        chunkMoves++;
        continue;
      }
      for (int q = start; q < k; q++) {
        Token t = seq.get(q);
        Integer extra = excess.get(p.key(t));
        if (extra != null && extra > 0) {
          excess.put(p.key(t), extra - 1);
        } else if (len == 1 && movedByOne(p, seq, q, other, otherAligned)) {
          local++;
        } else {
          stray++;
        }
      }
    }
    return new int[] {stray, local, chunkMoves};
  }

  /** The unaligned word at {@code q} sits one place away in the other sequence. */
  private static boolean movedByOne(GuardPair p, List<Token> seq, int q, List<Token> other,
      boolean[] otherAligned) {
    String stem = p.key(seq.get(q));
    for (int j = 0; j < other.size(); j++) {
      if (!otherAligned[j] && p.key(other.get(j)).equals(stem)) {
        // same neighbour on the left or right after moving past exactly one word
        boolean leftSwap = q > 0 && j + 1 < other.size()
            && p.key(seq.get(q - 1)).equals(p.key(other.get(j + 1)));
        boolean rightSwap = q + 1 < seq.size() && j > 0
            && p.key(seq.get(q + 1)).equals(p.key(other.get(j - 1)));
        return leftSwap || rightSwap;
      }
    }
    return false;
  }

  /**
   * True when the run [start, end) holds every shared word of the coordinated phrases it touches,
   * inside one comma-separated part: "a cat and a dog" / "a dog and a cat". Whole comma-separated
   * parts trading places are not forgiven: on PAWS that is how entities swap roles.
   */
  private static boolean wholeChunks(List<Token> seq, int start, int end) {
    int first = seq.get(start).chunk;
    int last = seq.get(end - 1).chunk;
    boolean beforeInChunk = start > 0 && seq.get(start - 1).chunk == first;
    boolean afterInChunk = end < seq.size() && seq.get(end).chunk == last;
    boolean clauseBefore = start > 0 && seq.get(start - 1).clause == seq.get(start).clause;
    boolean clauseAfter = end < seq.size() && seq.get(end).clause == seq.get(end - 1).clause;
    if (!clauseBefore && !clauseAfter) {
      return false;
    }
    return !beforeInChunk && !afterInChunk;
  }

  /** Fewest compared words on each side of a forgiven clause move. */
  private static final int MIN_MOVED_BLOCK = 2;
  /** Fewest compared words in the larger of the two blocks of a forgiven clause move. */
  private static final int MIN_CLAUSE = 4;

  /**
   * The two orders differ by one whole clause moving as a block, everything else in place:
   * "Immediately after reading the script , Mehra agreed to act" / "Mehra agreed to act
   * immediately after reading the script". After the common prefix and suffix, what remains must
   * be U V on one side and V U on the other, U or V must be a complete comma-separated part on
   * one side that opens like an adverbial (a preposition or subordinator from the lexicon, or an
   * -ly adverb), both must hold at least {@value #MIN_MOVED_BLOCK} compared words and one at
   * least {@value #MIN_CLAUSE}. Two words or names trading places ("a X b Y" / "a Y b X", "Bulgaria ,
   * Sozopol" / "Sozopol , in Bulgaria") is a swap, not a clause move; a prompt without commas
   * never qualifies.
   */
  static boolean clauseMoved(GuardPair pair) {
    PromptAnalysis a = pair.a();
    PromptAnalysis b = pair.b();
    List<Token> x = shared(pair, a.ordered, b.ordered);
    List<Token> y = shared(pair, b.ordered, a.ordered);
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

  /** Tokens of {@code a} whose stem also occurs in {@code b}. */
  private static List<Token> shared(GuardPair p, List<Token> a, List<Token> b) {
    List<Token> out = new ArrayList<>(a.size());
    for (Token t : a) {
      for (Token u : b) {
        if (p.key(t).equals(p.key(u))) {
          out.add(t);
          break;
        }
      }
    }
    return out;
  }
}
