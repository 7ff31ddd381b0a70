package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Binding;
import dev.deja.filter.match.PromptAnalysis.Triple;
import java.util.List;
import java.util.Set;

/** Matching of modifier bindings and relation triples, shared by several {@link GuardCheck}s. */
final class Bindings {

  private Bindings() {}

  /**
   * Same modifiers (as a multiset), and each modifier bound to a phrase on both sides binds to
   * overlapping phrases: "a green bench and a blue bowl" binds green to {bench} on one side and to
   * {bowl} on the other. With {@code strictUnbound} (attributes), a modifier bound on one side
   * must be bound on the other; otherwise (counts, negations) "unbound" matches anything, because
   * "14 March" / "March 14" is the same date.
   */
  static boolean sameBindings(List<Binding> x, List<Binding> y, boolean strictUnbound) {
    if (x.size() != y.size()) {
      return false;
    }
    if (x.isEmpty()) {
      return true;
    }
    boolean[] used = new boolean[y.size()];
    // bound ones first, so that an unbound one cannot take a partner a bound one needs
    for (int pass = 0; pass < 2; pass++) {
      for (Binding b : x) {
        if (b.phrase().isEmpty() != (pass == 1)) {
          continue;
        }
        int found = -1;
        for (int j = 0; j < y.size() && found < 0; j++) {
          Binding c = y.get(j);
          boolean phrasesAgree = strictUnbound
              ? b.head().equals(c.head()) && nested(b.phrase(), c.phrase())
              : b.phrase().isEmpty() || c.phrase().isEmpty() || intersects(b.phrase(), c.phrase());
          if (!used[j] && c.modifier().equals(b.modifier()) && phrasesAgree) {
            found = j;
          }
        }
        if (found < 0) {
          return false;
        }
        used[found] = true;
      }
    }
    return true;
  }

  static boolean sameRelations(List<Triple> x, List<Triple> y) {
    if (x.size() != y.size()) {
      return false;
    }
    boolean[] used = new boolean[y.size()];
    for (Triple t : x) {
      int found = -1;
      for (int j = 0; j < y.size() && found < 0; j++) {
        Triple u = y.get(j);
        if (!used[j] && u.relation() == t.relation() && nested(t.subject(), u.subject())
            && nested(t.object(), u.object())) {
          found = j;
        }
      }
      if (found < 0) {
        return false;
      }
      used[found] = true;
    }
    return true;
  }

  /**
   * Both name no noun, or one names a part of the other ("blue cell phone" / "phone is blue").
   * For spatial relations too: their nouns are left out of the order check, so they must agree
   * here ("a lamp behind a sofa" is not "a lamp behind a chair").
   */
  private static boolean nested(Set<String> p, Set<String> q) {
    return p.isEmpty() ? q.isEmpty() : !q.isEmpty() && (p.containsAll(q) || q.containsAll(p));
  }

  static boolean intersects(Set<String> p, Set<String> q) {
    for (String w : p) {
      if (q.contains(w)) {
        return true;
      }
    }
    return false;
  }
}
