package dev.deja.filter.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue #6: embedding similarity does not see word order or attribute binding; the guard does. */
class GuardedMatcherTest {

  private static final GuardedMatcher BALANCED = GuardedMatcher.of(MatchPreset.BALANCED);

  private static MatchVerdict decide(String request, String cached) {
    return BALANCED.decide(request, cached, 0.99, BALANCED.threshold());
  }

  @Test
  void theSameEmojiWithAStyleSuffixOrSkinToneIsStillTheSamePicture() {
    assertTrue(decide("a 🐱 on a car", "a 🐱 on a car, 4k").accepted());
    assertTrue(decide("a waving 👋🏽 hand", "a waving 👋 hand").accepted());
  }

  @ParameterizedTest(name = "\"{0}\" vs \"{1}\" is refused: {2}")
  @CsvSource(delimiter = '|', value = {
      "a green bench and a blue bowl | a blue bench and a green bowl | attribute-mismatch",
      "a red car and a white sheep | a white car and a red sheep | attribute-mismatch",
      "a plastic toy and a glass bottle | a glass toy and a plastic bottle | attribute-mismatch",
      "three dogs on the street | four dogs on the street | number-mismatch",
      "one cat and two dogs sitting on the grass | two cats and one dog sitting on the grass"
          + " | number-mismatch",
      "35mm macro shot of a kitten | 36mm macro shot of a kitten | number-mismatch",
      "a room with chairs | a room without chairs | negation-mismatch",
      "a dog that is not sleeping | a dog that is sleeping | negation-mismatch",
      "a cat on the left of a dog | a cat on the right of a dog | relation-mismatch",
      "a lamp above a desk | a lamp below a desk | relation-mismatch",
      "a dog in front of a desk | a dog behind a desk | relation-mismatch",
      "a horse riding an astronaut | an astronaut riding a horse | word-order",
      "a cup on a table | a table on a cup | word-order",
      "Wright moved to New York from Chapel Hill | Wright moved from New York to Chapel Hill"
          + " | word-order",
      "a dog on the beach | a cat on the beach | content-mismatch",
      // emoji are content words: the model sees one unknown token for all of them
      "a 🐱 on a car | a 🐶 on a car | content-mismatch",
      "🐱🚗 | 🐶🚗 | content-mismatch",
      // ordinals are counts, not years: they keep their place ("49th" has four characters)
      "In December 1969 the 49th regiment replaced the 29th regiment"
          + " | In December 1969 the 29th regiment replaced the 49th regiment | word-order",
      // the nouns of a spatial relation leave the order check, so they must agree (not overlap)
      "a small dog sleeping behind a garden fence at sunset"
          + " | a small dog sleeping behind a picket fence at sunset | relation-mismatch",
      // spelling variants are one word, so two names trading places are seen as a swap
      "After the death of Mohammed, Ali came to power"
          + " | After the death of Ali, Mohamed came to power | word-order",
      // a clause move is one block crossing another; two words trading places across commas is not
      "a boy feeds a goat, a girl feeds a pony | a boy feeds a pony, a girl feeds a goat"
          + " | word-order",
      "a fox chases a hare, in the snow | in the snow, a hare chases a fox | word-order",
      // only a clause that opens like an adverbial moves freely; a subject moved to the end does not
      "Joao and Francisca Pena were born to Martins Pena in Rio de Janeiro"
          + " | were born to Martins Pena in Rio de Janeiro, Joao and Francisca Pena | word-order",
      // coordinated phrases may trade places, but they take their years along
      "she retired in 1884 and died in 1885 | she died in 1884 and retired in 1885 | word-order",
      "a poster from 1920 and a car from 1960 | a car from 1920 and a poster from 1960"
          + " | word-order",
      // opposites: one word, another picture, however close the embeddings
      "a man walking a dog at night | a woman walking a dog at night | opposite-mismatch",
      "a lighthouse on a cliff at sunrise | a lighthouse on a cliff at sunset"
          + " | opposite-mismatch",
      "a market on the eastern bank of the river | a market on the western bank of the river"
          + " | opposite-mismatch",
      "a bird flying into a cage | a bird flying out of a cage | opposite-mismatch",
      "a dog running to the house | a dog running from the house | opposite-mismatch",
      // time of day, weather and season set the whole picture
      "a cozy cabin in the snow | a cozy cabin in the snow at night | scene-mismatch",
      "a futuristic city skyline | a futuristic city skyline at sunset | scene-mismatch",
      "a red car on a bridge | a red car on a bridge in the fog | scene-mismatch",
      // a determiner says one or many: then singular and plural must agree
      "the dog sleeping on the porch | the dogs sleeping on the porch | number-mismatch",
      "a red kite over the hill | red kites over the hill | number-mismatch",
      // ordinals written in words or digits are the same count, and still counts
      "the sixth floor of the tower | the 7th floor of the tower | number-mismatch",
      "gold medals for first and second place | gold medals for second place | number-mismatch",
      // dates keep their day however written, so two days trading places are a swap
      "left on 18 April and returned on 2 May | left on 2 April and returned on 18 May"
          + " | word-order",
      "arrived on 2 November and left on 7 November | arrived on November 7 and left on November 2"
          + " | word-order",
  })
  void swapsAndChangesAreRefusedWithTheirReason(String request, String cached, String reason) {
    MatchVerdict v = decide(request, cached);
    assertFalse(v.accepted(), () -> "accepted " + request + " / " + cached);
    assertEquals(reason, v.reason());
  }

  @ParameterizedTest(name = "\"{0}\" vs \"{1}\" is accepted")
  @CsvSource(delimiter = '|', value = {
      "a kitten sleeping on a sofa | a cat sleeping on a couch",
      "an automobile parked in front of a house | a car parked in front of a house",
      "a blue car and a yellow bus | a yellow bus and a blue car",
      "a cat on the left of a dog | a dog on the right of a cat",
      "a lamp above a desk | a desk below a lamp",
      "a castle on a hill, highly detailed, 8k, trending on artstation | a castle on a hill",
      "portrait of an astronaut, digital art, 4k | portrait of an astronaut, octane render",
      "one dog on the street | a dog on the street",
      "three apples in a basket | 3 apples in a basket",
      "a man without a hat | a man with no hat",
      "a bench that is green | a green bench",
      "the 49th regiment and the 29th regiment | the 29th regiment and the 49th regiment",
      "a dog sleeping behind a fence at sunset | a dog sleeping behind a garden fence at sunset",
      "After the death of Mohammed, Ali came to power"
          + " | After the death of Mohamed, Ali came to power",
      "a jewellery box on a wooden table | a jewelery box on a wooden table",
      "a poster from 1920 and a car from 1960 | a car from 1960 and a poster from 1920",
      "In 1876 he moved to San Diego, California, and in 1887 to Dallas, Texas"
          + " | He moved to San Diego, California in 1876, and to Dallas, Texas in 1887",
      "after sunset, a fox walks across the frozen lake"
          + " | a fox walks across the frozen lake after sunset",
      "Immediately after reading the script, Mehra agreed to play in the film"
          + " | Mehra agreed to play in the film immediately after reading the script",
      "a photo of a golden retriever on the beach | a golden retriever on the beach",
      "A red rose in a vase. | a red rose in a vase",
      "a mountain village on a snowy evening | a mountain village on a snowy evening, 8k",
      "a harbor in the rain at dusk | a harbor on a rainy day at sundown",
      "a lighthouse at dawn | a lighthouse at sunrise",
      "a meadow in spring | a meadow in springtime",
      "the first building on the left | the 1st building on the left",
      "a little rock on the beach | a small rock on the beach",
      "a cat sitting between two dogs | a cat sitting between the two dogs",
      "a man and his wife, high quality | a man and his wife",
      "the eleventh Master Chief Petty Officer | the 11th Master Chief Petty Officer",
      "the twenty-first century skyline | the 21st century skyline",
      // a day of the month is a date however written, and "first" before a verb is an adverb
      "The series debuted on 18th April 2009 | The series debuted on April 18, 2009",
      "arrived on 2 November and left on 7 November | arrived on November 2 and left on November 7",
      "He first appeared in July 2010 | He appeared in July 2010",
      // bare nouns in prose may change number; spelling (-re / -er) and names are not attributes
      "characters face routine conflict in the city | characters face routine conflicts in the city",
      "a pilgrimage centre 78 kilometres from Belgaum | a pilgrimage center 78 kilometers from Belgaum",
      "Wright moved from Chapel Hill to New York City | Wright moved from Chapel Hill to New York",
      "He was governor of Helmand from 2001 to 2005 | He was governor of Helmand between 2001 and 2005",
  })
  void paraphrasesAreAccepted(String request, String cached) {
    MatchVerdict v = decide(request, cached);
    assertTrue(v.accepted(), () -> "refused (" + v.reason() + "): " + request + " / " + cached);
    assertEquals("ok", v.reason());
  }

  @Test
  void nonEnglishPairsWithTheSameMeaningAreNotAllRefused() {
    assertTrue(decide("un chat noir sur un canapé", "un chat noir sur le canapé").accepted());
    assertTrue(decide("一只红色的猫坐在沙发上", "一只红色的猫坐在沙发上，高清").accepted());
    assertTrue(decide("красная машина на улице", "красная машина на улице, 8k").accepted());
    assertTrue(decide("ein roter Apfel auf einem Tisch", "Ein roter Apfel auf einem Tisch.")
        .accepted());
  }

  @Test
  void nonEnglishPairsWithDifferentMeaningsAreNotAllAccepted() {
    assertFalse(decide("un chat noir sur un canapé", "un chien blanc sur un canapé").accepted());
    assertFalse(decide("一只红色的猫和蓝色的狗", "一只蓝色的猫和红色的狗").accepted());
    assertFalse(decide("一只红色的猫", "三只黑色的狗").accepted());
    assertEquals("number-mismatch", decide("3 gatos negros", "4 gatos negros").reason());
  }

  @Test
  void promptsInDifferentScriptsAreRefusedAsUnverifiable() {
    assertEquals("script-mismatch", decide("一只红色的猫", "a red cat").reason());
  }

  @ParameterizedTest(name = "\"{0}\" vs \"{1}\" has the same content words: served at 0.86")
  @CsvSource(delimiter = '|', value = {
      "the eleventh Master Chief Petty Officer | the 11th Master Chief Petty Officer",
      "The series debuted on 18th April 2009 | The series debuted on April 18, 2009",
      "The album came out on 18 September 2009 | The album came out on 18 Sept 2009",
      "The album came out on April the 18th | The album came out on 18 April",
      "a pilgrimage centre 78 kilometres from Belgaum | a pilgrimage center 78 kilometers from Belgaum",
      "He was governor of Helmand from 2001 to 2005 | He was governor of Helmand between 2001 and 2005",
      // a trailing medium tag frames the prompt like "a photo of"
      "A man riding a wave on top of a surfboard, professional photo"
          + " | a photo of a man riding a wave on top of a surfboard",
  })
  void sameContentRewordingsDoNotNeedTheBarForChangedWords(String request, String cached) {
    MatchVerdict v = BALANCED.decide(request, cached, 0.86, BALANCED.threshold());
    assertTrue(v.accepted(), () -> "refused (" + v.reason() + "): " + request + " / " + cached);
  }

  @Test
  void changedContentWordsNeedAStrongerEmbeddingMatchThanReorderedOnes() {
    // given a cached sentence that differs from the request by one replaced content word
    String request = "Most of these houses were built along the old river road from the mill to"
        + " the church";
    String cached = "Most of these barns were built along the old river road from the mill to"
        + " the church";
    // when the embeddings are only as close as the threshold asks, then it is not served
    MatchVerdict v = BALANCED.decide(request, cached, 0.90, BALANCED.threshold());
    assertFalse(v.accepted());
    assertEquals(MatchGuard.CONTENT_CHANGE, v.reason());
    // but embeddings closer than 0.94 vouch for a one-word change in a long prompt
    assertTrue(BALANCED.decide(request, cached, 0.945, Double.NaN).accepted());
    // and a pair that only moves words is served at the threshold
    assertTrue(BALANCED.decide("after sunset, a fox walks across the frozen lake",
        "a fox walks across the frozen lake after sunset", 0.86, BALANCED.threshold())
        .accepted());
    // the bar is STRICT's: STANDARD leaves changed words to the threshold and overlap checks
    assertTrue(GuardedMatcher.custom(0.88, GuardStrictness.STANDARD)
        .decide(request, cached, 0.90, Double.NaN).accepted());
    // and a guard asked without a similarity never applies it
    assertTrue(new MatchGuard(GuardStrictness.STRICT).check(request, cached).accepted());
  }

  @Test
  void toBeforeAVerbIsNoDirection() {
    // "from a faucet" / "to get a drink": not "to" against "from" a place
    MatchVerdict v = BALANCED.decide("A cat drinking from a kitchen faucet",
        "A cat trying to get a drink out of a faucet", 0.99, Double.NaN);
    assertFalse(MatchGuard.OPPOSITE_MISMATCH.equals(v.reason()), v::reason);
  }

  @Test
  void inAShortPromptAnAddedWordNeedsAnEvenCloserMatch() {
    // given "a samurai standing in a bamboo forest" cached, when "... holding a sword" arrives
    // with the similarity BGE-small gives the pair (0.949), then the sword is not left out
    MatchVerdict v = BALANCED.decide("a samurai standing in a bamboo forest holding a sword",
        "a samurai standing in a bamboo forest", 0.949, Double.NaN);
    assertEquals(MatchGuard.CONTENT_CHANGE, v.reason());
    assertTrue(BALANCED.decide("a samurai standing in a bamboo forest holding a sword",
        "a samurai standing in a bamboo forest", 0.965, Double.NaN).accepted());
  }

  @Test
  void decide_belowThreshold_refusesWithoutRunningTheGuard() {
    MatchVerdict v = BALANCED.decide("a cat", "a cat", BALANCED.threshold() - 0.01,
        BALANCED.threshold());
    assertEquals(new MatchVerdict(false, "below-threshold"), v);
  }

  @Test
  void decide_requestThreshold_canOnlyTighten() {
    double configured = BALANCED.threshold();
    double sim = configured + 0.005;
    assertTrue(BALANCED.decide("a cat", "a cat", sim, 0.10).accepted(),
        "a lower request threshold is ignored, the configured one applies");
    assertEquals("below-threshold", BALANCED.decide("a cat", "a cat", sim, 0.10 + configured)
        .reason());
    assertEquals("below-threshold", BALANCED.decide("a cat", "a cat", configured - 0.001, 0.0)
        .reason());
    assertTrue(BALANCED.decide("a cat", "a cat", sim, Double.NaN).accepted());
    assertEquals("below-threshold", BALANCED.decide("a cat", "a cat", Double.NaN, configured)
        .reason());
  }

  @Test
  void presets_acceptanceIsNested_strictWithinBalancedWithinAggressive() {
    List<String[]> pairs = List.of(
        new String[] {"a kitten sleeping on a sofa", "a cat sleeping on a couch"},
        new String[] {"stable financially", "financially stable"},
        new String[] {"a dog house", "a house dog"},
        new String[] {"two dogs on a street", "two dog on a street"},
        new String[] {"a cat on a mat in the sun", "a cat on a mat"},
        new String[] {"a green bench and a blue bowl", "a blue bench and a green bowl"},
        new String[] {"the old man walks his dog in the park", "the old man walks in the park"},
        new String[] {"Higgins left Southampton in August", "Higgins Southampton left in August"},
        new String[] {"a castle, 8k", "a castle"},
        new String[] {"un chat noir", "un chat noir et blanc"});
    double[] sims = {0.80, 0.87, 0.89, 0.91, 0.94, 0.96, 0.99};
    GuardedMatcher strict = GuardedMatcher.of(MatchPreset.STRICT);
    GuardedMatcher aggressive = GuardedMatcher.of(MatchPreset.AGGRESSIVE);
    int strictHits = 0;
    int aggressiveHits = 0;
    for (String[] p : pairs) {
      for (double sim : sims) {
        boolean s = strict.decide(p[0], p[1], sim, strict.threshold()).accepted();
        boolean b = BALANCED.decide(p[0], p[1], sim, BALANCED.threshold()).accepted();
        boolean a = aggressive.decide(p[0], p[1], sim, aggressive.threshold()).accepted();
        assertTrue(!s || b, () -> "STRICT accepts but BALANCED refuses " + p[0] + " / " + p[1]);
        assertTrue(!b || a, () -> "BALANCED accepts but AGGRESSIVE refuses " + p[0] + " / "
            + p[1]);
        strictHits += s ? 1 : 0;
        aggressiveHits += a ? 1 : 0;
      }
    }
    assertTrue(aggressiveHits > strictHits, "AGGRESSIVE should serve more than STRICT");
  }

  @Test
  void presets_thresholdsDescendFromStrictToAggressive() {
    assertTrue(MatchPreset.STRICT.threshold() >= MatchPreset.BALANCED.threshold());
    assertTrue(MatchPreset.BALANCED.threshold() >= MatchPreset.AGGRESSIVE.threshold());
    assertEquals(MatchPreset.BALANCED, MatchPreset.DEFAULT);
    assertEquals(MatchPreset.DEFAULT.threshold(), GuardedMatcher.defaults().threshold());
  }

  /** The same rule as the configuration's threshold setting, (0, 1] (issue #12 item 2). */
  @Test
  void custom_acceptsOnlyThresholdsTheConfigurationAccepts() {
    for (double bad : new double[] {1.5, 0.0, -0.5, Double.NaN}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> GuardedMatcher.custom(bad, GuardStrictness.STANDARD), () -> "threshold " + bad);
      assertTrue(e.getMessage().contains("threshold " + GuardedMatcher.THRESHOLD_RULE),
          e.getMessage());
      assertFalse(GuardedMatcher.isValidThreshold(bad));
    }
    assertEquals(1.0, GuardedMatcher.custom(1.0, GuardStrictness.STANDARD).threshold());
    assertEquals(0.01, GuardedMatcher.custom(0.01, GuardStrictness.STANDARD).threshold());
    assertThrows(NullPointerException.class, () -> GuardedMatcher.custom(0.9, null));
  }

  @Test
  void custom_offStrictness_isThresholdOnly() {
    GuardedMatcher off = GuardedMatcher.custom(0.9, GuardStrictness.OFF);
    assertTrue(off.decide("three dogs", "four dogs", 0.95, 0.9).accepted());
  }

  @Test
  void guard_emptyAndNullPrompts_doNotThrow() {
    MatchGuard guard = new MatchGuard(GuardStrictness.STRICT);
    assertTrue(guard.check("", "").accepted());
    assertTrue(guard.check(null, "   ").accepted());
    guard.check("!!!", "a cat");
  }

  /**
   * A request is analysed once and judged against every candidate: each verdict must be the one
   * the pair gets alone. Folding a spelling variant ("travelled" / "traveled") edits the request's
   * tokens during one check; without undoing that, the next candidate below was refused.
   */
  @Test
  void forRequest_eachCandidateGetsItsOwnVerdict() {
    String request = "she travelled to rome and then to paris";
    List<String> candidates = List.of("she traveled to rome and then to paris",
        "to car she rome to travelled paris traveled", "she traveled to paris and then to rome",
        "she travelled to rome and then to paris, 4k", "he traveled to rome");
    for (GuardStrictness s : GuardStrictness.values()) {
      MatchGuard guard = new MatchGuard(s);
      MatchGuard.Request once = guard.forRequest(request);
      GuardedMatcher matcher = GuardedMatcher.custom(0.8, s);
      SemanticMatcher.Request decisions = matcher.forRequest(request);
      for (String cached : candidates) {
        assertEquals(guard.check(request, cached, 0.99), once.check(cached, 0.99),
            s + ": " + cached);
        assertEquals(matcher.decide(request, cached, 0.99, 0.9),
            decisions.decide(cached, 0.99, 0.9), s + ": " + cached);
      }
    }
  }
}

