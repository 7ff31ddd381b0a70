package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Kind;
import dev.deja.filter.match.PromptAnalysis.Token;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@value MatchGuard#OPPOSITE_MISMATCH}: one prompt says a word where the other says its opposite
 * (man / woman, sunrise / sunset, eastern / western, into / out of, to / from a place), from the
 * opposites word list.
 */
final class OppositeCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.OPPOSITE_MISMATCH;
  }

  @Override
  public String summary() {
    return "one prompt says a word where the other says its opposite";
  }

  @Override
  public boolean passes(GuardPair p) {
    return !oppositeSwapped(p.a(), p.b());
  }

  /**
   * One side says a word where the other says its opposite: more of {@code x} on one side, more of
   * an opposite of {@code x} on the other.
   */
  static boolean oppositeSwapped(PromptAnalysis a, PromptAnalysis b) {
    Map<String, Integer> ca = wordCounts(a);
    Map<String, Integer> cb = wordCounts(b);
    for (Map.Entry<String, Integer> e : ca.entrySet()) {
      Set<String> opposites = Lexicon.OPPOSITES.get(e.getKey());
      if (opposites == null || e.getValue() <= cb.getOrDefault(e.getKey(), 0)) {
        continue;
      }
      for (String o : opposites) {
        if (cb.getOrDefault(o, 0) > ca.getOrDefault(o, 0)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Map<String, Integer> wordCounts(PromptAnalysis p) {
    Map<String, Integer> counts = new HashMap<>();
    List<Token> tokens = p.tokens;
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.kind == Kind.BREAK || t.kind == Kind.STYLE) {
        continue; // "high quality" is boilerplate, not a height
      }
      if (Lexicon.DIRECTIONS.contains(t.text)) {
        // a direction only before what it leads to: "to the house", "out of a cage", not the
        // infinitive in "to get a drink"
        String next = i + 1 < tokens.size() ? tokens.get(i + 1).text : "";
        boolean direction = t.text.equals("out") ? next.equals("of")
            : Lexicon.DETERMINERS.contains(next);
        if (!direction) {
          continue;
        }
      }
      counts.merge(t.text, 1, Integer::sum);
      if (t.stem != null && !t.stem.equals(t.text)) {
        counts.merge(t.stem, 1, Integer::sum);
      }
    }
    return counts;
  }
}
