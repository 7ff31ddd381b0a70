package dev.deja.filter.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.filter.match.PromptAnalysis.Token;
import dev.deja.filter.text.Normalize;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The analysed prompt is an immutable value, so one analysis can serve every request and candidate
 * that meets the same text, on any thread (issue #12 item 2).
 */
class PromptAnalysisTest {

  private static final String PROMPT =
      "Two red cats sit left of a small blue book, not on the green sofa, on April 18 in 1999";

  @Test
  void fields_areAllFinal() {
    for (Class<?> type : List.of(PromptAnalysis.class, Token.class)) {
      for (Field f : type.getDeclaredFields()) {
        if (!f.isSynthetic() && !Modifier.isStatic(f.getModifiers())) {
          assertTrue(Modifier.isFinal(f.getModifiers()), type.getSimpleName() + "." + f.getName());
        }
      }
    }
  }

  @Test
  void collections_cannotBeChanged() {
    PromptAnalysis p = PromptAnalysis.of(PROMPT);
    assertFalse(p.attributes.isEmpty());
    assertFalse(p.numbers.isEmpty());
    assertFalse(p.negations.isEmpty());
    assertFalse(p.relations.isEmpty());
    assertFalse(p.years.isEmpty());
    Token any = p.tokens.get(0);
    assertThrows(UnsupportedOperationException.class, () -> p.tokens.add(any));
    assertThrows(UnsupportedOperationException.class, () -> p.content.remove(0));
    assertThrows(UnsupportedOperationException.class, () -> p.ordered.clear());
    assertThrows(UnsupportedOperationException.class, () -> p.attributes.clear());
    assertThrows(UnsupportedOperationException.class, () -> p.numbers.clear());
    assertThrows(UnsupportedOperationException.class, () -> p.negations.clear());
    assertThrows(UnsupportedOperationException.class, () -> p.relations.clear());
    assertThrows(UnsupportedOperationException.class, () -> p.years.clear());
    assertThrows(UnsupportedOperationException.class, () -> p.numberMarked.add("x"));
    assertThrows(UnsupportedOperationException.class, () -> p.singularArticles.add("x"));
    assertThrows(UnsupportedOperationException.class,
        () -> p.attributes.get(0).phrase().add("x"));
    assertThrows(UnsupportedOperationException.class,
        () -> p.relations.get(0).subject().add("x"));
  }

  @Test
  void of_isAFunctionOfTheNormalizedText() {
    PromptAnalysis a = PromptAnalysis.of(PROMPT);
    PromptAnalysis b = PromptAnalysis.ofNormalized(Normalize.forGuard(PROMPT.toUpperCase()));
    assertEquals(a.normalized, b.normalized);
    assertEquals(describe(a), describe(b));
    assertEquals(a.attributes, b.attributes);
    assertEquals(a.numbers, b.numbers);
    assertEquals(a.negations, b.negations);
    assertEquals(a.relations, b.relations);
    assertEquals(a.years, b.years);
  }

  /** The lists are views of one set of tokens: the order check and the overlap see the same. */
  @Test
  void lists_shareTheTokens() {
    PromptAnalysis p = PromptAnalysis.of(PROMPT);
    for (Token t : p.content) {
      assertSame(t, p.tokens.stream().filter(u -> u == t).findFirst().orElseThrow());
    }
    for (Token t : p.ordered) {
      assertTrue(p.tokens.stream().anyMatch(u -> u == t), t.toString());
    }
  }

  private static List<String> describe(PromptAnalysis p) {
    List<String> out = new ArrayList<>();
    for (Token t : p.tokens) {
      out.add(t + "/" + t.key() + "/" + t.plural + "/" + t.chunk + "/" + t.clause);
    }
    out.add("ordered " + p.ordered);
    return out;
  }
}
