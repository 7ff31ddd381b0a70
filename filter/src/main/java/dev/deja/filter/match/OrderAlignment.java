package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Token;
import java.util.ArrayList;
import java.util.List;

/**
 * The two prompts' ordered words ({@link PromptAnalysis#ordered}) reduced to the words both share
 * and aligned by longest common subsequence: the words marked aligned kept their relative order,
 * the others moved. Words are compared by {@link GuardPair#key}, so spelling variants count as one
 * word and a phrase head carries its attributes.
 *
 * @param x the request's shared words, in order
 * @param y the cached prompt's shared words, in order
 * @param alignedX which words of {@code x} are in the common subsequence
 * @param alignedY which words of {@code y} are in the common subsequence
 */
record OrderAlignment(List<Token> x, List<Token> y, boolean[] alignedX, boolean[] alignedY) {

  static OrderAlignment of(GuardPair p) {
    List<Token> x = shared(p, p.a().ordered, p.b().ordered);
    List<Token> y = shared(p, p.b().ordered, p.a().ordered);
    int n = x.size();
    int m = y.size();
    boolean[] alignedX = new boolean[n];
    boolean[] alignedY = new boolean[m];
    if (n == 0 || m == 0) {
      return new OrderAlignment(x, y, alignedX, alignedY);
    }
    int[][] lcs = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lcs[i][j] = p.key(x.get(i)).equals(p.key(y.get(j)))
            ? lcs[i + 1][j + 1] + 1
            : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
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
    return new OrderAlignment(x, y, alignedX, alignedY);
  }

  /** Either side shares no word with the other: nothing to compare. */
  boolean isEmpty() {
    return x.isEmpty() || y.isEmpty();
  }

  /** Tokens of {@code a} whose key also occurs in {@code b}. */
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
