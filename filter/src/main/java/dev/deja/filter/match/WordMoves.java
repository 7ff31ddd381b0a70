package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Token;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The words of an {@link OrderAlignment} that changed position relative to the others, by kind. A
 * run of unaligned words is forgiven when it is a whole chunk (a coordinated phrase moved as a
 * unit) or at least {@code minSafeBlock} words long; a single word that moved by one place (an
 * adverb and its adjective trading places) is a local move; everything else is a stray move. Words
 * one side has more often than the other are extra words, not moved ones.
 *
 * @param stray words that left their phrase: the larger count of the two sides
 * @param local single words moved by one place: the larger count of the two sides
 * @param forgivenRuns runs forgiven as whole phrases or long blocks, both sides together
 */
record WordMoves(int stray, int local, int forgivenRuns) {

  static WordMoves count(GuardPair p, OrderAlignment al) {
    if (al.isEmpty()) {
      return new WordMoves(0, 0, 0);
    }
    WordMoves mx = oneSide(p, al.x(), al.alignedX(), al.y(), al.alignedY());
    WordMoves my = oneSide(p, al.y(), al.alignedY(), al.x(), al.alignedX());
    return new WordMoves(Math.max(mx.stray, my.stray), Math.max(mx.local, my.local),
        mx.forgivenRuns + my.forgivenRuns);
  }

  private static WordMoves oneSide(GuardPair p, List<Token> seq, boolean[] aligned,
      List<Token> other, boolean[] otherAligned) {
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
    return new WordMoves(stray, local, chunkMoves);
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
   * parts trading places are not forgiven here: that is how two entities swap roles.
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
}
