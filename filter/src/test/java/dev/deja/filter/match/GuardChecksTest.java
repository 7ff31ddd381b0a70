package dev.deja.filter.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One table per guard check (issue #12 item 2): pairs on which the check must fire and pairs on
 * which it must not, so a change to one rule shows which of its cases moved. The pattern for
 * every check: add a {@code fires} and a {@code passes} table named after its reason.
 *
 * <p>Until the checks are classes of their own, "fires" means the guard's first failing check is
 * this one, from the given strictness up (and not below it); "passes" means the pair gets past
 * this check at every strictness (a later check may still refuse it). Both directions are tried:
 * a check must not depend on which prompt is the request. Similarity is taken as 1.0, so the
 * content-change bar never applies.
 */
class GuardChecksTest {

  private static void assertFires(String reason, String a, String b, GuardStrictness from) {
    for (GuardStrictness s : GuardStrictness.values()) {
      if (s == GuardStrictness.OFF) {
        continue;
      }
      MatchGuard guard = new MatchGuard(s);
      for (String[] pair : new String[][] {{a, b}, {b, a}}) {
        String got = guard.check(pair[0], pair[1]).reason();
        if (s.compareTo(from) >= 0) {
          assertEquals(reason, got, s + ": " + pair[0] + " | " + pair[1]);
        } else {
          assertNotEquals(reason, got, s + ": " + pair[0] + " | " + pair[1]);
        }
      }
    }
  }

  private static void assertPasses(String reason, String a, String b) {
    for (GuardStrictness s : GuardStrictness.values()) {
      MatchGuard guard = new MatchGuard(s);
      assertNotEquals(reason, guard.check(a, b).reason(), s + ": " + a + " | " + b);
      assertNotEquals(reason, guard.check(b, a).reason(), s + ": " + b + " | " + a);
    }
  }

  @ParameterizedTest(name = "{0} | {1} from {2}")
  @CsvSource(delimiter = '|', textBlock = """
      three dogs on a sofa             | four dogs on a sofa              | LENIENT
      a cat on a car                   | two cats on a car                | LENIENT
      two cats and a dog               | two dogs and a cat               | LENIENT
      3 gatos negros                   | 4 gatos negros                   | LENIENT
      twenty five candles on a cake    | twenty six candles on a cake     | LENIENT
      a dozen eggs in a basket         | a pair of eggs in a basket       | LENIENT
      the first floor of the house     | the second floor of the house    | LENIENT
      the dog on the sofa              | the dogs on the sofa             | STRICT
      """)
  void numberMismatch_fires(String a, String b, GuardStrictness from) {
    assertFires(MatchGuard.NUMBER_MISMATCH, a, b, from);
  }

  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      one cat on a car                 | a cat on a car
      a cat on a car                   | a cat on a car, 4k
      the parade on 14 March           | the parade on March 14
      twenty five candles on a cake    | 25 candles on a cake
      routine conflicts in the office  | routine conflict in the office
      a photo of 2 cats                | 2 cats, photo
      """)
  void numberMismatch_passes(String a, String b) {
    assertPasses(MatchGuard.NUMBER_MISMATCH, a, b);
  }

  @ParameterizedTest(name = "{0} | {1} from {2}")
  @CsvSource(delimiter = '|', textBlock = """
      a cat with a hat                            | a cat without a hat                         | LENIENT
      a room with no windows                      | a room with windows                         | LENIENT
      a man who is not smiling                    | a man who is smiling                        | LENIENT
      a dog that doesn't bark                     | a dog that barks                            | LENIENT
      a street without cars and a sky with clouds | a street with cars and a sky without clouds | LENIENT
      un chat sans chapeau                        | un chat avec chapeau                        | LENIENT
      """)
  void negationMismatch_fires(String a, String b, GuardStrictness from) {
    assertFires(MatchGuard.NEGATION_MISMATCH, a, b, from);
  }

  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      a cat without a hat              | a cat without a hat, highly detailed
      a street with no cars            | a street without cars
      a dog that doesn't bark          | a dog that does not bark
      """)
  void negationMismatch_passes(String a, String b) {
    assertPasses(MatchGuard.NEGATION_MISMATCH, a, b);
  }
}
