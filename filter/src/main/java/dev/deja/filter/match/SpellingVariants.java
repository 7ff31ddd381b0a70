package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Token;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spelling variants: a content word of one side without partner on the other, one inserted letter
 * away from exactly one such word of the other side, the shorter at least {@value
 * #MIN_VARIANT_LENGTH} letters long, takes that word's stem ("travelled" / "traveled", "jewellery"
 * / "jewelery", a name spelt with one letter doubled; "colour" / "color" is in the synonym list). Order and
 * overlap then treat the two as one word. A replaced letter is not a variant: "horse" / "house",
 * "beach" / "bench" are different things.
 */
final class SpellingVariants {

  /** Shortest word length for a spelling variant. */
  static final int MIN_VARIANT_LENGTH = 6;

  /** The stem and order key a token of the request takes. */
  record Fold(String stem, String orderKey) {}

  private SpellingVariants() {}

  /**
   * Which tokens of {@code a} take which stem of {@code b} (by identity; tokens not in the map keep
   * their own). Changes neither list.
   */
  static Map<Token, Fold> fold(List<Token> a, List<Token> b) {
    Map<Token, Fold> folded = new IdentityHashMap<>();
    Set<String> stemsA = new HashSet<>();
    Set<String> stemsB = new HashSet<>();
    for (Token t : a) {
      stemsA.add(t.stem);
    }
    for (Token u : b) {
      stemsB.add(u.stem);
    }
    for (Token t : a) {
      String stem = stem(folded, t);
      if (stemsB.contains(stem) || stem.length() < MIN_VARIANT_LENGTH) {
        continue;
      }
      String match = null;
      int found = 0;
      for (Token u : b) {
        if (!stemsA.contains(u.stem) && u.stem.length() >= MIN_VARIANT_LENGTH
            && !u.stem.equals(match) && oneLetterInserted(stem, u.stem)) {
          match = u.stem;
          found++;
        }
      }
      if (found == 1) {
        String from = stem;
        for (Token v : a) {
          if (stem(folded, v).equals(from)) {
            String orderKey = orderKey(folded, v);
            folded.put(v, new Fold(match,
                orderKey == null ? null : match + orderKey.substring(from.length())));
          }
        }
        stemsA.add(match);
      }
    }
    return folded.isEmpty() ? Collections.emptyMap() : folded;
  }

  private static String stem(Map<Token, Fold> folded, Token t) {
    Fold f = folded.get(t);
    return f == null ? t.stem : f.stem();
  }

  private static String orderKey(Map<Token, Fold> folded, Token t) {
    Fold f = folded.get(t);
    return f == null ? t.orderKey : f.orderKey();
  }

  /** One of the two is the other with exactly one letter inserted. */
  static boolean oneLetterInserted(String x, String y) {
    if (Math.abs(x.length() - y.length()) != 1) {
      return false;
    }
    int i = 0;
    while (i < x.length() && i < y.length() && x.charAt(i) == y.charAt(i)) {
      i++;
    }
    int ex = x.length();
    int ey = y.length();
    while (ex > i && ey > i && x.charAt(ex - 1) == y.charAt(ey - 1)) {
      ex--;
      ey--;
    }
    return ex - i <= 1 && ey - i <= 1;
  }
}
