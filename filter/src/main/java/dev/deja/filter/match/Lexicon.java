package dev.deja.filter.match;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The small curated word lists the guard judges with. English first; function words and negations
 * of a few other Latin-script languages are listed so that French, Spanish, German, Italian and
 * Portuguese prompts are at least tokenized sensibly.
 *
 * <p>The words themselves live in {@code src/main/resources/dev/deja/filter/match/words/*.txt}
 * (format in {@link WordLists}), read once when this class is initialised; this class only gives
 * them their shapes (sets, maps, phrases split into tokens).
 */
final class Lexicon {

  private Lexicon() {}

  /** Function words: never content, never compared. */
  static final Set<String> EN_STOP = WordLists.set("en-stop.txt");

  /**
   * Function words that mark the role of the phrase after them; they take part in the word-order
   * check ("from the port to the castle" is not "to the port from the castle").
   */
  static final Set<String> ROLE_MARKERS = WordLists.set("role-markers.txt");

  /** Function words of other Latin-script languages (only for tokenizing, language guessing). */
  static final Set<String> OTHER_STOP = WordLists.set("other-stop.txt");

  /** Words (any language) that occur in English prompts only by accident are not listed here. */
  static final Set<String> OTHER_ONLY_STOP = WordLists.set("other-only-stop.txt");

  /** Negation markers, English and a few others; "without" counts as one. */
  static final Set<String> NEGATIONS = WordLists.set("negations.txt");

  /**
   * Words that open an adverbial clause or phrase (prepositions, subordinators), which English
   * lets stand at the start or the end of a sentence.
   */
  static final Set<String> ADVERBIAL_OPENERS = WordLists.set("adverbial-openers.txt");

  /** Coordinators that separate independent noun phrases: their order carries no meaning. */
  static final Set<String> CHUNK_BREAKS = WordLists.set("chunk-breaks.txt");

  /**
   * Attribute words (colour, material, texture, shape, size, age, state) that bind to a noun; two
   * prompts must bind the same attributes to the same nouns.
   */
  static final Set<String> ATTRIBUTES = WordLists.set("attributes.txt");

  /** Synonyms folded before comparing (kept short and unambiguous for image prompts). */
  static final Map<String, String> SYNONYMS = Map.copyOf(WordLists.map("synonyms.txt"));

  /**
   * Opposites: a prompt that says one where the other says its opposite describes another picture
   * ("a man at sunrise" / "a woman at sunset"), however similar the rest. Converse phrasings
   * ("older than" / "younger than") also swap their arguments, which the order check sees.
   */
  static final Map<String, Set<String>> OPPOSITES =
      opposites(WordLists.pairs("opposites.txt", " / "));

  /** Opposites that are directions only when a place follows ("to the house", "out of a cage"). */
  static final Set<String> DIRECTIONS = WordLists.set("directions.txt");

  private static Map<String, Set<String>> opposites(List<String[]> pairs) {
    Map<String, Set<String>> m = new HashMap<>();
    for (String[] w : pairs) {
      m.computeIfAbsent(w[0], k -> new java.util.HashSet<>()).add(w[1]);
      m.computeIfAbsent(w[1], k -> new java.util.HashSet<>()).add(w[0]);
    }
    Map<String, Set<String>> frozen = new HashMap<>();
    m.forEach((k, v) -> frozen.put(k, Set.copyOf(v)));
    return Map.copyOf(frozen);
  }

  /**
   * Words that set the scene of a whole picture — time of day, weather, season — rather than
   * describe one thing in it: a prompt that adds one ("a cabin in the snow at night") asks for
   * another picture, although the embedding hardly moves (0.96). Keyed by word (after the plural
   * stemmer), valued by what it means; the stemmer folds each word to its meaning, so "snowy" and
   * "snow", "dawn" and "sunrise" are one word everywhere.
   */
  static final Map<String, String> SCENE = Map.copyOf(WordLists.map("scene.txt"));

  /**
   * Names that open with an attribute word ("New York"): there the word names, it does not
   * describe. Only names whose second word is not a common noun, so "a white house" keeps its
   * colour.
   */
  static final Map<String, Set<String>> NAMES = names(WordLists.pairs("names.txt", " "));

  private static Map<String, Set<String>> names(List<String[]> names) {
    Map<String, Set<String>> m = new HashMap<>();
    for (String[] w : names) {
      m.computeIfAbsent(w[0], k -> new java.util.HashSet<>()).add(w[1]);
    }
    Map<String, Set<String>> frozen = new HashMap<>();
    m.forEach((k, v) -> frozen.put(k, Set.copyOf(v)));
    return Map.copyOf(frozen);
  }

  /** Words before a noun that make "first" an ordinal, not an adverb ("the first came"). */
  static final Set<String> DETERMINERS = WordLists.set("determiners.txt");

  /** Plurals a suffix rule would miss. */
  static final Map<String, String> IRREGULAR_PLURALS =
      Map.copyOf(WordLists.map("irregular-plurals.txt"));

  /** Number words: cardinals, then a few quantifiers whose meaning is a count. */
  static final Map<String, String> NUMBER_WORDS = Map.copyOf(WordLists.map("number-words.txt"));

  /** Determiners (besides "a"/"an") that state whether the noun after them is one or many. */
  static final Set<String> NUMBER_MARKERS = WordLists.set("number-markers.txt");

  /** Month names and abbreviations: a number next to one is a day of the month, not a count. */
  static final Set<String> MONTHS = WordLists.set("months.txt");

  /** Spatial relations, canonical names; the inverse of each is in {@link #INVERSE}. */
  enum Relation { LEFT, RIGHT, ABOVE, BELOW, FRONT, BEHIND, NEXT, INSIDE, OUTSIDE, BETWEEN, NEAR }

  static final Map<Relation, Relation> INVERSE = Map.of(
      Relation.RIGHT, Relation.LEFT, Relation.BELOW, Relation.ABOVE, Relation.BEHIND,
      Relation.FRONT);

  /**
   * Relations whose two nouns may be stated in either order with the inverse relation ("a cat left
   * of a dog" = "a dog right of a cat"); their nouns are checked by the relation, not by order.
   * Looser ones (near, inside, between) keep their nouns in the order check: in prose they are
   * mostly not spatial ("near the end of the war").
   */
  static final Set<Relation> DIRECTIONAL = Set.of(Relation.LEFT, Relation.RIGHT, Relation.ABOVE,
      Relation.BELOW, Relation.FRONT, Relation.BEHIND, Relation.NEXT);

  static final Set<Relation> SYMMETRIC = Set.of(Relation.NEXT, Relation.NEAR, Relation.BETWEEN);

  /**
   * Relation phrases, longest first, as token sequences. Bare {@code on} and {@code in} are not
   * relations here (too frequent); the order check covers "a cup on a table" swaps.
   */
  static final List<Map.Entry<String[], Relation>> RELATION_PHRASES =
      relations(WordLists.map("relations.txt"));

  private static List<Map.Entry<String[], Relation>> relations(Map<String, String> phrases) {
    List<Map.Entry<String[], Relation>> out = new java.util.ArrayList<>();
    phrases.forEach((phrase, relation) -> {
      try {
        out.add(Map.entry(phrase.split(" "), Relation.valueOf(relation)));
      } catch (IllegalArgumentException e) {
        throw WordLists.malformed("relations.txt", phrase + " -> " + relation,
            "unknown relation (one of " + java.util.Arrays.toString(Relation.values()) + ")");
      }
    });
    return List.copyOf(out);
  }

  /**
   * Style boilerplate: quality tags and render buzzwords that change nothing a cache should care
   * about. Matched as token phrases anywhere in the prompt and left out of every comparison.
   */
  static final List<String[]> STYLE_PHRASES = phrases(WordLists.lines("style-phrases.txt"));

  /** Forms of "be" (and "look") over which a predicative attribute binds back ("the car is red"). */
  static final Set<String> COPULAS = WordLists.set("copulas.txt");

  /** Frequent verbs that end a noun phrase ("the tree stood tall"). */
  static final Set<String> COMMON_VERBS = WordLists.set("common-verbs.txt");

  /** Words that, alone in a comma-separated part, only frame the prompt ("..., photo"). */
  static final Set<String> FRAMING_TAGS = WordLists.set("framing-tags.txt");

  private static List<String[]> phrases(List<String> all) {
    return all.stream()
        .map(p -> p.split("[ \\-]"))
        .sorted((x, y) -> y.length - x.length)
        .toList();
  }
}
