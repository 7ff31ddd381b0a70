package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Binding;
import dev.deja.filter.match.PromptAnalysis.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@value MatchGuard#NUMBER_MISMATCH}: counts (digits, number words, quantifiers, ordinals) bound
 * to the same nouns must agree, "a"/"an" or a bare singular noun counting as one.
 *
 * <p>{@link PluralCheck} returns the same reason for a different rule (singular against plural
 * after a determiner, STRICT only) late in the order, after the word-order and overlap checks.
 */
final class NumberCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.NUMBER_MISMATCH;
  }

  @Override
  public String summary() {
    return "counts bound to the same nouns differ";
  }

  @Override
  public boolean passes(GuardPair p) {
    return numbersAgree(p.a(), p.b());
  }

  /**
   * Counts must agree as values ("a"/"an", or the bare singular noun, satisfying a "one" on the
   * other side), and a count bound to a noun on both sides must bind to the same noun.
   */
  private static boolean numbersAgree(PromptAnalysis a, PromptAnalysis b) {
    if (a.numbers.isEmpty() && b.numbers.isEmpty()) {
      return true;
    }
    return Bindings.sameBindings(withoutImplicitOnes(a.numbers, b),
        withoutImplicitOnes(b.numbers, a), false);
  }

  private static List<Binding> withoutImplicitOnes(List<Binding> numbers, PromptAnalysis other) {
    List<Binding> out = new ArrayList<>(numbers.size());
    for (Binding n : numbers) {
      if (n.modifier().equals("1") && !n.phrase().isEmpty() && !hasValue(other.numbers, "1")
          && impliesOne(other, n.phrase())) {
        continue;
      }
      out.add(n);
    }
    return out;
  }

  private static boolean hasValue(List<Binding> bindings, String value) {
    for (Binding b : bindings) {
      if (b.modifier().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean impliesOne(PromptAnalysis p, Set<String> phrase) {
    for (String w : phrase) {
      if (p.singularArticles.contains(w)) {
        return true;
      }
    }
    for (Binding n : p.numbers) {
      if (Bindings.intersects(n.phrase(), phrase)) {
        return false;
      }
    }
    for (Token t : p.content) {
      if (phrase.contains(t.stem) && !t.plural) {
        return true;
      }
    }
    return false;
  }
}
