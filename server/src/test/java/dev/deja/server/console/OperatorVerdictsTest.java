package dev.deja.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.MatchFeedback;
import dev.deja.filter.match.MatchVerdict;
import dev.deja.filter.match.SemanticMatcher;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pairs marked wrong are refused by the matcher; everything else is the guard's decision. */
class OperatorVerdictsTest {

  /** A real matcher's stand-in that accepts everything at or above 0.8, to isolate the rule. */
  private static final SemanticMatcher ACCEPT_ABOVE = new SemanticMatcher() {
    @Override
    public double threshold() {
      return 0.8;
    }

    @Override
    public MatchVerdict decide(String a, String b, double similarity, double threshold) {
      return similarity >= threshold ? MatchVerdict.accept() : MatchVerdict.refuse("below");
    }
  };

  private static MatchFeedback verdict(String a, String b, boolean correct) {
    return new MatchFeedback(a, b, correct, 0.9, "m", "k", "t", "b", "flux", "ada",
        Instant.EPOCH);
  }

  @Test
  void aPairMarkedWrong_isRefused_inBothDirectionsOfTheApi_otherPairsAreNot() {
    OperatorVerdicts verdicts = new OperatorVerdicts();
    SemanticMatcher guarded = verdicts.guard(ACCEPT_ABOVE);
    verdicts.apply(verdict("a red fox", "a brown fox", false));

    assertEquals(OperatorVerdicts.REASON, guarded.decide("a red fox", "a brown fox", 0.95, 0.8)
        .reason());
    assertFalse(guarded.forRequest("a red fox").decide("a brown fox", 0.95, 0.8).accepted());
    assertTrue(guarded.decide("a brown fox", "a red fox", 0.95, 0.8).accepted(),
        "the reverse pair was not judged");
    assertTrue(guarded.decide("a red fox", "a red fox!", 0.95, 0.8).accepted());
    assertEquals(0.8, guarded.threshold());
  }

  @Test
  void theLatestVerdictOnAPairWins() {
    OperatorVerdicts verdicts = new OperatorVerdicts();
    verdicts.load(List.of(verdict("a", "b", false), verdict("a", "b", true)));
    assertFalse(verdicts.markedWrong("a", "b"));
  }
}
