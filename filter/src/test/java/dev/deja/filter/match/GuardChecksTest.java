package dev.deja.filter.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.filter.match.PromptAnalysis.Token;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One table per guard check (issue #12 item 2): pairs on which the check must fire and pairs on
 * which it must not, so a change to one rule shows which of its cases moved. The pattern for
 * every check: a {@code fires} and a {@code passes} table named after the check.
 *
 * <p>"Fires from X" means the check class refuses the pair at strictness X and above and lets it
 * through below X, and that the whole guard then names this check's reason (the pair trips no
 * earlier check in {@link MatchGuard#CHECKS}). "Passes" means the check class lets the pair
 * through at every strictness; a later check may still refuse it. Both directions are tried: a
 * check must not depend on which prompt is the request. Similarity is 1.0 unless a table has a
 * similarity column, so the content-change bar only applies there. The pairs are written to show
 * the rule, not taken from the evaluation sets.
 */
class GuardChecksTest {

  private static final GuardStrictness[] LEVELS = {
      GuardStrictness.LENIENT, GuardStrictness.STANDARD, GuardStrictness.STRICT};

  private static final GuardCheck NUMBER = new NumberCheck();
  private static final GuardCheck NEGATION = new NegationCheck();
  private static final GuardCheck SCRIPT = new ScriptCheck();
  private static final GuardCheck RELATION = new RelationCheck();
  private static final GuardCheck ATTRIBUTE = new AttributeCheck();
  private static final GuardCheck OPPOSITE = new OppositeCheck();
  private static final GuardCheck SCENE = new SceneCheck();
  private static final GuardCheck WORD_ORDER = new WordOrderCheck();
  private static final GuardCheck CONTENT = new ContentCheck();
  private static final GuardCheck PLURAL = new PluralCheck();
  private static final GuardCheck CONTENT_CHANGE = new ContentChangeCheck();

  private static boolean passes(GuardCheck check, String a, String b, double similarity,
      GuardStrictness s) {
    return check.passes(
        new GuardPair(PromptAnalysis.of(a), PromptAnalysis.of(b), similarity, s));
  }

  private static void assertFires(GuardCheck check, String a, String b, GuardStrictness from,
      double similarity) {
    for (GuardStrictness s : LEVELS) {
      for (String[] pair : new String[][] {{a, b}, {b, a}}) {
        String what = check.name() + " " + s + ": " + pair[0] + " | " + pair[1];
        boolean passed = passes(check, pair[0], pair[1], similarity, s);
        if (s.compareTo(from) >= 0) {
          assertFalse(passed, what);
          assertEquals(check.reason(),
              new MatchGuard(s).check(pair[0], pair[1], similarity).reason(), what);
        } else {
          assertTrue(passed, what);
        }
      }
    }
  }

  private static void assertFires(GuardCheck check, String a, String b, GuardStrictness from) {
    assertFires(check, a, b, from, 1.0);
  }

  private static void assertPasses(GuardCheck check, String a, String b, double similarity) {
    for (GuardStrictness s : LEVELS) {
      assertTrue(passes(check, a, b, similarity, s), check.name() + " " + s + ": " + a + " | " + b);
      assertTrue(passes(check, b, a, similarity, s), check.name() + " " + s + ": " + b + " | " + a);
    }
  }

  private static void assertPasses(GuardCheck check, String a, String b) {
    assertPasses(check, a, b, 1.0);
  }

  @Test
  void checks_runInTheDocumentedOrderOfReasons() {
    List<String> names = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (GuardCheck c : MatchGuard.CHECKS) {
      names.add(c.name());
      reasons.add(c.reason());
      assertFalse(c.summary().isBlank(), c.name());
    }
    assertEquals(List.of("ScriptCheck", "NumberCheck", "NegationCheck", "RelationCheck",
        "AttributeCheck", "OppositeCheck", "SceneCheck", "WordOrderCheck", "ContentCheck",
        "PluralCheck", "ContentChangeCheck"), names);
    assertEquals(List.of(MatchGuard.SCRIPT_MISMATCH, MatchGuard.NUMBER_MISMATCH,
        MatchGuard.NEGATION_MISMATCH, MatchGuard.RELATION_MISMATCH, MatchGuard.ATTRIBUTE_MISMATCH,
        MatchGuard.OPPOSITE_MISMATCH, MatchGuard.SCENE_MISMATCH, MatchGuard.WORD_ORDER,
        MatchGuard.CONTENT_MISMATCH, MatchGuard.NUMBER_MISMATCH, MatchGuard.CONTENT_CHANGE),
        reasons);
  }

  @ParameterizedTest(name = "{0} | {1} from {2}")
  @CsvSource(delimiter = '|', textBlock = """
      a red car                        | 一辆红色的汽车                   | LENIENT
      a red car                        | красная машина                   | LENIENT
      """)
  void scriptCheck_fires(String a, String b, GuardStrictness from) {
    assertFires(SCRIPT, a, b, from);
  }

  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      3 gatos negros                   | 3 gatos negros, 4k
      1984                             | 一九八四
      """)
  void scriptCheck_passes(String a, String b) {
    assertPasses(SCRIPT, a, b);
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
      """)
  void numberCheck_fires(String a, String b, GuardStrictness from) {
    assertFires(NUMBER, a, b, from);
  }

  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      one cat on a car                 | a cat on a car
      a cat on a car                   | a cat on a car, 4k
      the parade on 14 March           | the parade on March 14
      twenty five candles on a cake    | 25 candles on a cake
      routine conflicts in the office  | routine conflict in the office
      a photo of 2 cats                | 2 cats, photo
      the dog on the sofa              | the dogs on the sofa
      """)
  void numberCheck_passes(String a, String b) {
    assertPasses(NUMBER, a, b);
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
  void negationCheck_fires(String a, String b, GuardStrictness from) {
    assertFires(NEGATION, a, b, from);
  }

  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      a cat without a hat              | a cat without a hat, highly detailed
      a street with no cars            | a street without cars
      a dog that doesn't bark          | a dog that does not bark
      """)
  void negationCheck_passes(String a, String b) {
    assertPasses(NEGATION, a, b);
  }

  @ParameterizedTest(name = "{0} | {1} from {2}")
  @CsvSource(delimiter = '|', textBlock = """
      a cat to the left of a dog       | a dog to the left of a cat       | LENIENT
      a cat above a dog                | a cat below a dog                | LENIENT
      a cup on top of a book           | a book on top of a cup           | LENIENT
      a cat in front of a dog          | a cat behind a dog               | LENIENT
      """)
  void relationCheck_fires(String a, String b, GuardStrictness from) {
    assertFires(RELATION, a, b, from);
  }

  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      a cat to the left of a dog       | a dog to the right of a cat
      a lamp next to a chair           | a chair next to a lamp
      """)
  void relationCheck_passes(String a, String b) {
    assertPasses(RELATION, a, b);
  }

  @ParameterizedTest(name = "{0} | {1} from {2}")
  @CsvSource(delimiter = '|', textBlock = """
      a red cube and a blue ball       | a blue cube and a red ball       | LENIENT
      a red cube                       | a blue cube                      | LENIENT
      a wooden table                   | a metal table                    | LENIENT
      a small dog                      | a large dog                      | LENIENT
      a round table                    | a square table                   | LENIENT
      a tall man with a hat            | a man with a tall hat            | LENIENT
      """)
  void attributeCheck_fires(String a, String b, GuardStrictness from) {
    assertFires(ATTRIBUTE, a, b, from);
  }

  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      a blue cell phone                | a phone that is blue
      a red apple on a table           | a red apple on a table, 4k
      a red barn and a blue truck      | a blue truck and a red barn
      """)
  void attributeCheck_passes(String a, String b) {
    assertPasses(ATTRIBUTE, a, b);
  }

  @ParameterizedTest(name = "{0} | {1} from {2}")
  @CsvSource(delimiter = '|', textBlock = """
      a man walking a dog              | a woman walking a dog            | LENIENT
      a beach at sunrise               | a beach at sunset                | LENIENT
      a bird flying into a cage        | a bird flying out of a cage      | LENIENT
      a road to the city               | a road from the city             | LENIENT
      """)
  void oppositeCheck_fires(String a, String b, GuardStrictness from) {
    assertFires(OPPOSITE, a, b, from);
  }

  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      a man and a woman                | a woman and a man
      a beach at sunset                | a beach at sunset, 4k
      """)
  void oppositeCheck_passes(String a, String b) {
    assertPasses(OPPOSITE, a, b);
  }

  @ParameterizedTest(name = "{0} | {1} from {2}")
  @CsvSource(delimiter = '|', textBlock = """
      a cabin in the snow              | a cabin in the snow at night     | LENIENT
      a street on a rainy day          | a street on a sunny day          | LENIENT
      """)
  void sceneCheck_fires(String a, String b, GuardStrictness from) {
    assertFires(SCENE, a, b, from);
  }

  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      a city at night                  | a city at night, highly detailed
      a cabin in the snow              | a cabin in the snow, 8k
      """)
  void sceneCheck_passes(String a, String b) {
    assertPasses(SCENE, a, b);
  }

  /** The last two rows are the years rule: phrases that trade places take their years along. */
  @ParameterizedTest(name = "{0} | {1} from {2}")
  @CsvSource(delimiter = '|', textBlock = """
      a cat chasing a dog                             | a dog chasing a cat                             | STANDARD
      the teacher praised the student                 | the student praised the teacher                 | STANDARD
      she flew from paris to rome                     | she flew from rome to paris                     | STANDARD
      a financially stable company                    | a stable financially company                    | STRICT
      a red barn in 1950 and a blue truck in 1970     | a blue truck in 1950 and a red barn in 1970     | LENIENT
      he was born in 1950 and moved to london in 1970 | he moved to london in 1950 and was born in 1970 | LENIENT
      """)
  void wordOrderCheck_fires(String a, String b, GuardStrictness from) {
    assertFires(WORD_ORDER, a, b, from);
  }

  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      a cat and a dog                                  | a dog and a cat
      a red barn in 1950 and a blue truck in 1970      | a blue truck in 1970 and a red barn in 1950
      after sunset, a fox walks across the frozen lake | a fox walks across the frozen lake after sunset
      he was born and moved to london                  | he moved to london and was born
      """)
  void wordOrderCheck_passes(String a, String b) {
    assertPasses(WORD_ORDER, a, b);
  }

  @ParameterizedTest(name = "{0} | {1} from {2}")
  @CsvSource(delimiter = '|', textBlock = """
      a cat on a sofa                  | a dog in a garden                                            | STANDARD
      a cat on a sofa                  | a cat on a sofa in a living room with a fireplace and a rug | STRICT
      a horse in a green field         | a house in a green field                                     | STRICT
      """)
  void contentCheck_fires(String a, String b, GuardStrictness from) {
    assertFires(CONTENT, a, b, from);
  }

  /** Synonyms, style boilerplate and one-letter spelling variants are not different content. */
  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      a cat on a sofa                    | a cat on a couch
      a horse in a field                 | a horse in a field, highly detailed, 8k
      a jewellery box on a wooden table  | a jewelery box on a wooden table
      a portrait of mohammed in a garden | a portrait of mohamed in a garden
      """)
  void contentCheck_passes(String a, String b) {
    assertPasses(CONTENT, a, b);
  }

  @ParameterizedTest(name = "{0} | {1} from {2}")
  @CsvSource(delimiter = '|', textBlock = """
      the dog on the sofa              | the dogs on the sofa             | STRICT
      a dog on the sofa                | dogs on the sofa                 | STRICT
      the children in the garden       | the child in the garden          | STRICT
      """)
  void pluralCheck_fires(String a, String b, GuardStrictness from) {
    assertFires(PLURAL, a, b, from);
  }

  /** Without a determiner or count the number of a noun is left open. */
  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', textBlock = """
      dogs playing in a park           | dog playing in a park
      routine conflicts in the office  | routine conflict in the office
      """)
  void pluralCheck_passes(String a, String b) {
    assertPasses(PLURAL, a, b);
  }

  /** Short prompts (at most 6 content words) need 0.96 for a changed content word under STRICT. */
  @ParameterizedTest(name = "{0} | {1} at {2} from {3}")
  @CsvSource(delimiter = '|', textBlock = """
      a quiet lighthouse on a cliff | a quiet lighthouse on a rocky cliff          | 0.95 | STRICT
      a samurai in a bamboo forest  | a samurai in a bamboo forest holding a sword | 0.95 | STRICT
      """)
  void contentChangeCheck_fires(String a, String b, double similarity, GuardStrictness from) {
    assertFires(CONTENT_CHANGE, a, b, from, similarity);
  }

  /** Close enough, or no content word changed (synonyms and spelling variants fold). */
  @ParameterizedTest(name = "{0} | {1} at {2}")
  @CsvSource(delimiter = '|', textBlock = """
      a quiet lighthouse on a cliff     | a quiet lighthouse on a rocky cliff | 0.97
      a cat on a sofa                   | a cat on a couch                    | 0.5
      a jewellery box on a wooden table | a jewelery box on a wooden table    | 0.5
      a cat on a sofa                   | a cat on a sofa, highly detailed    | 0.5
      """)
  void contentChangeCheck_passes(String a, String b, double similarity) {
    assertPasses(CONTENT_CHANGE, a, b, similarity);
  }

  /**
   * A spelling variant folds the request's word onto the cached one for that pair only: the
   * request's analysis, reused for the next candidate, keeps its own stems and order keys.
   */
  @Test
  void spellingVariants_leaveTheAnalysesUnchanged() {
    PromptAnalysis request = PromptAnalysis.of("a jewellery box on a wooden table");
    PromptAnalysis cached = PromptAnalysis.of("a jewelery box on a wooden table");
    List<String> requestBefore = stemsAndKeys(request);
    List<String> cachedBefore = stemsAndKeys(cached);
    GuardPair pair = new GuardPair(request, cached, 0.5, GuardStrictness.STRICT);
    Set<String> own = new HashSet<>();
    Set<String> folded = new HashSet<>();
    for (Token t : request.content) {
      own.add(t.stem);
      folded.add(pair.stem(t));
    }
    Set<String> cachedStems = new HashSet<>();
    for (Token t : cached.content) {
      cachedStems.add(t.stem);
    }
    assertNotEquals(cachedStems, own, "the stemmer alone does not unify the variants");
    assertEquals(cachedStems, folded, "the variant takes the cached prompt's stem in the pair");
    for (GuardCheck c : MatchGuard.CHECKS) {
      assertTrue(c.passes(pair), c.name());
    }
    assertEquals(requestBefore, stemsAndKeys(request));
    assertEquals(cachedBefore, stemsAndKeys(cached));
  }

  private static List<String> stemsAndKeys(PromptAnalysis p) {
    List<String> out = new ArrayList<>();
    for (Token t : p.tokens) {
      out.add(t.text + "/" + t.stem + "/" + t.key());
    }
    return out;
  }
}
