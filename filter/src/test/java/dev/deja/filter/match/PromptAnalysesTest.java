package dev.deja.filter.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The guard's cache of analyses (issue #12 item 2: analysed once per request and per entry). */
class PromptAnalysesTest {

  @Test
  void of_sharesOneAnalysisPerNormalizedText() {
    PromptAnalyses analyses = new PromptAnalyses();
    PromptAnalysis first = analyses.of("A red cat on a sofa");
    assertSame(first, analyses.of("A Red Cat on a Sofa"));
    assertEquals(1, analyses.size());
  }

  @Test
  void of_staysWithinItsBoundInCharacters() {
    PromptAnalyses analyses = new PromptAnalyses(100);
    for (int i = 0; i < 50; i++) {
      analyses.of("a cat " + (1000 + i)); // 10 characters each
    }
    assertTrue(analyses.size() * 10 <= 100, "held " + analyses.size());
  }

  @Test
  void constructor_rejectsANegativeBound() {
    assertThrows(IllegalArgumentException.class, () -> new PromptAnalyses(-1));
  }

  /** Candidates met again by a later request are not analysed again. */
  @Test
  void forRequest_analysesEachPromptOnceAcrossRequests() {
    PromptAnalyses analyses = new PromptAnalyses();
    MatchGuard guard = new MatchGuard(GuardStrictness.STRICT, analyses);
    List<String> candidates =
        List.of("a red cat on a sofa", "a red cat under a sofa", "two red cats on a sofa");
    MatchGuard.Request first = guard.forRequest("a red cat on the sofa");
    for (String c : candidates) {
      first.check(c, 0.99);
    }
    assertEquals(4, analyses.size());
    MatchGuard.Request second = guard.forRequest("a red cat sitting on a sofa");
    for (String c : candidates) {
      assertEquals(new MatchGuard(GuardStrictness.STRICT).check("a red cat sitting on a sofa", c,
          0.99), second.check(c, 0.99), c);
    }
    assertEquals(5, analyses.size());
  }
}
