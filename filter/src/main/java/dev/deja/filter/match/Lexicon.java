package dev.deja.filter.match;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The small curated word lists the guard judges with. English first; function words and negations
 * of a few other Latin-script languages are listed so that French, Spanish, German, Italian and
 * Portuguese prompts are at least tokenized sensibly.
 */
final class Lexicon {

  private Lexicon() {}

  /** Like {@link Set#of} but tolerates the duplicates that word lists of several languages share. */
  private static Set<String> set(String... words) {
    return Set.copyOf(java.util.Arrays.asList(words));
  }

  /** Function words: never content, never compared. */
  static final Set<String> EN_STOP = set(
      "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "as", "into",
      "onto", "upon", "and", "or", "but", "while", "then", "so", "is", "are", "was", "were", "be",
      "been", "being", "am", "it", "its", "this", "that", "these", "those", "there", "here", "his",
      "her", "hers", "their", "theirs", "our", "my", "your", "he", "she", "they", "we", "you", "i",
      "me", "him", "them", "us", "who", "whom", "which", "what", "whose", "where", "when", "has",
      "have", "had", "do", "does", "did", "s", "very", "some", "also", "just", "up", "out", "about",
      "colored", "coloured", "color", "colour", "showing", "shows", "depicting", "featuring",
      "can", "will",
      "would", "could", "should", "may", "might", "must", "shall", "both", "each", "other",
      "another", "such", "than", "too", "all", "any", "one's", "itself", "himself", "herself",
      "themselves", "t", "d", "ll", "re", "ve", "m", "o");

  /**
   * Function words that mark the role of the phrase after them; they take part in the word-order
   * check ("from New York to Chapel Hill" is not "to New York from Chapel Hill").
   */
  static final Set<String> ROLE_MARKERS = set("from", "to", "by", "than", "into", "onto",
      "towards", "toward");

  /** Function words of other Latin-script languages (only for tokenizing, language guessing). */
  static final Set<String> OTHER_STOP = set(
      // fr
      "le", "la", "les", "un", "une", "des", "du", "de", "et", "sur", "dans", "avec", "au", "aux",
      "est", "en", "l", "d", "qui", "que", "pour", "par", "sous",
      // es / pt / it
      "el", "los", "las", "una", "unos", "unas", "y", "con", "del", "al", "es", "por", "para", "en",
      "o", "um", "uma", "os", "as", "e", "com", "do", "da", "dos", "das", "no", "na", "il", "lo",
      "gli", "di", "della", "dello", "con", "su", "nel", "nella", "ed",
      // de / nl
      "der", "die", "das", "ein", "eine", "einer", "einem", "einen", "und", "mit", "auf", "im",
      "dem", "den", "des", "ist", "von", "zu", "het", "een", "en", "op", "met", "van");

  /** Words (any language) that occur in English prompts only by accident are not listed here. */
  static final Set<String> OTHER_ONLY_STOP = set(
      "le", "la", "les", "une", "des", "du", "et", "sur", "dans", "avec", "est", "el", "los", "las",
      "una", "y", "con", "del", "um", "uma", "os", "com", "il", "gli", "di", "della", "nel",
      "der", "die", "das", "ein", "eine", "einem", "einen", "und", "mit", "auf", "dem", "den",
      "ist", "von", "het", "een", "sous", "para", "por");

  /** Negation markers, English and a few others; "without" counts as one. */
  static final Set<String> NEGATIONS = set(
      "no", "not", "never", "without", "none", "nobody", "nothing", "neither", "nor", "cannot",
      "nowhere", "non", "sans", "pas", "jamais", "aucun", "aucune", "sin", "nunca", "ningun",
      "ninguna", "nicht", "kein", "keine", "keinen", "ohne", "niemals", "senza", "nessun",
      "nessuna", "sem", "nao", "não", "nenhum", "geen", "zonder", "niet");

  /**
   * Words that open an adverbial clause or phrase (prepositions, subordinators), which English
   * lets stand at the start or the end of a sentence.
   */
  static final Set<String> ADVERBIAL_OPENERS = set("after", "before", "during", "for", "with",
      "without", "in", "at", "on", "from", "since", "until", "till", "following", "by", "under",
      "over", "through", "throughout", "despite", "because", "when", "whenever", "while",
      "whilst", "once", "as", "upon", "within", "among", "between", "across", "along", "around",
      "near", "into", "to", "together", "if", "although", "though", "unlike", "like", "besides",
      "against", "towards", "toward", "behind", "beyond", "according", "due", "thanks");

  /** Coordinators that separate independent noun phrases: their order carries no meaning. */
  static final Set<String> CHUNK_BREAKS = set("and", "or", "while", "but", "then", "plus",
      "et", "y", "e", "und", "en");

  /**
   * Attribute words (colour, material, texture, shape, size, age, state) that bind to a noun; two
   * prompts must bind the same attributes to the same nouns.
   */
  static final Set<String> ATTRIBUTES = set(
      // colours
      "red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "black", "white",
      "gray", "grey", "silver", "gold", "golden", "beige", "turquoise", "violet", "cyan", "magenta",
      "teal", "maroon", "navy", "crimson", "scarlet", "indigo", "lavender", "tan", "ivory", "bronze",
      "copper", "khaki", "lime", "olive", "azure", "emerald", "amber", "colorful", "colourful",
      "multicolored", "rainbow", "blond", "blonde", "dark", "pale", "bright",
      // materials and textures
      "wooden", "wood", "metal", "metallic", "glass", "plastic", "rubber", "leather", "fabric",
      "fluffy", "furry", "soft", "hard", "smooth", "rough", "silky", "woolen", "wool", "ceramic",
      "stone", "paper", "velvet", "cotton", "steel", "iron", "marble", "concrete", "brick", "denim",
      "fuzzy", "shiny", "glossy", "matte", "rusty", "transparent", "sparkling", "prickly",
      "sleek", "wet", "dry",
      // shapes
      "round", "square", "rectangular", "triangular", "circular", "oval", "oblong", "cubic",
      "spherical", "cylindrical", "pentagonal", "hexagonal", "octagonal", "teardrop", "conical",
      "pyramidal", "flat", "curved",
      // size and age, state
      "big", "small", "large", "tiny", "huge", "tall", "short", "long", "little", "giant", "old",
      "young", "new", "empty", "full", "broken", "hot", "cold", "thin", "thick",
      "fat", "wide", "narrow", "heavy");

  /** Synonyms folded before comparing (kept short and unambiguous for image prompts). */
  static final Map<String, String> SYNONYMS = Map.ofEntries(
      Map.entry("kitten", "cat"), Map.entry("kitty", "cat"), Map.entry("puppy", "dog"),
      Map.entry("doggy", "dog"), Map.entry("automobile", "car"), Map.entry("auto", "car"),
      Map.entry("bike", "bicycle"), Map.entry("couch", "sofa"), Map.entry("tv", "television"),
      Map.entry("cellphone", "phone"), Map.entry("smartphone", "phone"),
      Map.entry("kid", "child"), Map.entry("grey", "gray"), Map.entry("large", "big"),
      Map.entry("huge", "big"), Map.entry("little", "small"), Map.entry("tiny", "small"),
      Map.entry("colourful", "colorful"), Map.entry("multicolored", "colorful"),
      Map.entry("wood", "wooden"), Map.entry("metal", "metallic"), Map.entry("golden", "gold"),
      Map.entry("blonde", "blond"), Map.entry("ocean", "sea"), Map.entry("timber", "wooden"),
      Map.entry("underneath", "under"), Map.entry("beneath", "under"),
      Map.entry("larger", "bigger"), Map.entry("largest", "biggest"), Map.entry("lengthy", "long"),
      Map.entry("jan", "january"), Map.entry("feb", "february"), Map.entry("apr", "april"),
      Map.entry("jun", "june"), Map.entry("jul", "july"), Map.entry("aug", "august"),
      Map.entry("sep", "september"), Map.entry("sept", "september"), Map.entry("oct", "october"),
      Map.entry("nov", "november"), Map.entry("dec", "december"));

  /**
   * Opposites: a prompt that says one where the other says its opposite describes another picture
   * ("a man at sunrise" / "a woman at sunset"), however similar the rest. Converse phrasings
   * ("older than" / "younger than") also swap their arguments, which the order check sees.
   */
  static final Map<String, Set<String>> OPPOSITES = opposites(
      "man woman", "boy girl", "male female", "husband wife", "father mother", "son daughter",
      "brother sister", "king queen", "prince princess", "gentleman lady",
      "day night", "daytime nighttime", "sunrise sunset", "dawn dusk", "morning evening",
      "summer winter", "spring autumn", "spring fall",
      "east west", "north south", "eastern western", "northern southern", "northeast southwest",
      "northwest southeast", "upper lower", "top bottom", "inner outer", "interior exterior",
      "internal external", "first last", "earliest latest", "earlier later", "early late",
      "oldest youngest", "eldest youngest", "older younger", "highest lowest", "higher lower",
      "high low", "maximum minimum", "best worst", "better worse", "won lost", "win lose",
      "winner loser", "victory defeat", "open closed", "opened closed", "entrance exit",
      "arrival departure", "increase decrease", "increased decreased", "rise fall",
      "import export", "happy sad", "smiling frowning", "wettest driest", "wetter drier",
      "hot cold", "warm cool", "light dark", "full empty", "fast slow", "rich poor",
      "strong weak", "love hate", "loved hated", "positive negative", "major minor",
      "public private", "urban rural", "ancient modern", "true false", "accepted rejected",
      "included excluded", "legal illegal", "wet dry", "heaven hell", "angel demon",
      "sun moon", "fire ice", "black white", "to from", "into out");

  /** Opposites that are directions only when a place follows ("to the house", "out of a cage"). */
  static final Set<String> DIRECTIONS = Set.of("to", "from", "into", "out");

  private static Map<String, Set<String>> opposites(String... pairs) {
    Map<String, Set<String>> m = new HashMap<>();
    for (String p : pairs) {
      String[] w = p.split(" ");
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
  static final Map<String, String> SCENE = scene(
      "morning", "noon", "midday noon", "afternoon", "evening", "night", "nighttime night",
      "midnight", "dawn sunrise", "daybreak sunrise", "sunrise", "dusk sunset", "sundown sunset",
      "sunset", "twilight sunset", "moonlight", "moonlit moonlight", "rain", "rainy rain",
      "raining rain", "snow", "snowy snow", "snowing snow", "snowfall snow", "storm",
      "stormy storm", "thunderstorm storm", "lightning", "fog", "foggy fog", "mist", "misty mist",
      "cloudy", "overcast cloudy", "sunny", "sunlit sunny", "windy", "hail", "blizzard", "winter",
      "wintertime winter", "summer", "summertime summer", "autumn", "spring", "springtime spring");

  private static Map<String, String> scene(String... entries) {
    Map<String, String> m = new HashMap<>();
    for (String e : entries) {
      String[] w = e.split(" ");
      m.put(w[0], w[w.length - 1]);
    }
    return Map.copyOf(m);
  }

  /**
   * Names that open with an attribute word ("New York"): there the word names, it does not
   * describe. Only names whose second word is not a common noun, so "a white house" keeps its
   * colour.
   */
  static final Map<String, Set<String>> NAMES = Map.of(
      "new", Set.of("york", "jersey", "zealand", "orleans", "england", "mexico", "delhi",
          "hampshire", "brunswick", "testament", "caledonia"),
      "old", Set.of("testament"),
      "big", Set.of("ben"),
      "red", Set.of("sox"),
      "white", Set.of("sox"),
      "blue", Set.of("jays"));

  /** Words before a noun that make "first" an ordinal, not an adverb ("the first came"). */
  static final Set<String> DETERMINERS = Set.of("the", "a", "an", "his", "her", "its", "their",
      "our", "my", "your", "this", "that", "whose");

  /** Plurals a suffix rule would miss. */
  static final Map<String, String> IRREGULAR_PLURALS = Map.ofEntries(
      Map.entry("men", "man"), Map.entry("women", "woman"), Map.entry("children", "child"),
      Map.entry("people", "person"), Map.entry("mice", "mouse"), Map.entry("geese", "goose"),
      Map.entry("feet", "foot"), Map.entry("teeth", "tooth"), Map.entry("knives", "knife"),
      Map.entry("wolves", "wolf"), Map.entry("leaves", "leaf"), Map.entry("shelves", "shelf"),
      Map.entry("loaves", "loaf"), Map.entry("halves", "half"), Map.entry("lives", "life"),
      Map.entry("wives", "wife"), Map.entry("calves", "calf"), Map.entry("scarves", "scarf"),
      Map.entry("oxen", "ox"), Map.entry("dice", "die"), Map.entry("cacti", "cactus"),
      Map.entry("fungi", "fungus"));

  /** Number words: cardinals, then a few quantifiers whose meaning is a count. */
  static final Map<String, String> NUMBER_WORDS = numberWords();

  private static Map<String, String> numberWords() {
    Map<String, String> m = new HashMap<>();
    String[] small = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
        "seventeen", "eighteen", "nineteen", "twenty"};
    for (int i = 0; i < small.length; i++) {
      m.put(small[i], Integer.toString(i));
    }
    String[] tens = {"thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
    for (int i = 0; i < tens.length; i++) {
      m.put(tens[i], Integer.toString(30 + 10 * i));
    }
    m.put("hundred", "100");
    m.put("thousand", "1000");
    m.put("million", "1000000");
    m.put("dozen", "12");
    m.put("single", "1");
    m.put("lone", "1");
    m.put("solo", "1");
    m.put("pair", "2");
    m.put("couple", "2");
    m.put("twin", "2");
    m.put("twins", "2");
    m.put("trio", "3");
    m.put("several", "several");
    m.put("many", "many");
    m.put("multiple", "many");
    m.put("numerous", "many");
    m.put("few", "few");
    m.put("dozens", "many");
    m.put("hundreds", "many");
    m.put("thousands", "many");
    String[] ordinals = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh",
        "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
        "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"};
    for (int i = 0; i < ordinals.length; i++) {
      m.put(ordinals[i], "#" + (i + 1));
    }
    String[] tensOrdinals = {"thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth",
        "eightieth", "ninetieth"};
    for (int i = 0; i < tensOrdinals.length; i++) {
      m.put(tensOrdinals[i], "#" + (30 + 10 * i));
    }
    m.put("hundredth", "#100");
    return Map.copyOf(m);
  }

  /** Determiners (besides "a"/"an") that state whether the noun after them is one or many. */
  static final Set<String> NUMBER_MARKERS = Set.of("the", "this", "that", "these", "those",
      "each", "every", "another");

  /** Month names and abbreviations: a number next to one is a day of the month, not a count. */
  static final Set<String> MONTHS = Set.of("january", "february", "march", "april", "may", "june",
      "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr",
      "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec");

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
  static final List<Map.Entry<String[], Relation>> RELATION_PHRASES = List.of(
      rel("on the left side of", Relation.LEFT), rel("on the right side of", Relation.RIGHT),
      rel("to the left of", Relation.LEFT), rel("to the right of", Relation.RIGHT),
      rel("on the left of", Relation.LEFT), rel("on the right of", Relation.RIGHT),
      rel("at the left of", Relation.LEFT), rel("at the right of", Relation.RIGHT),
      rel("on the top of", Relation.ABOVE), rel("on the bottom of", Relation.BELOW),
      rel("at the bottom of", Relation.BELOW), rel("at the top of", Relation.ABOVE),
      rel("in front of", Relation.FRONT), rel("on top of", Relation.ABOVE),
      rel("on side of", Relation.NEXT), rel("left of", Relation.LEFT),
      rel("right of", Relation.RIGHT), rel("next to", Relation.NEXT),
      rel("close to", Relation.NEAR), rel("hidden by", Relation.BEHIND),
      rel("hidden behind", Relation.BEHIND), rel("in back of", Relation.BEHIND),
      rel("on the left", Relation.LEFT), rel("on the right", Relation.RIGHT),
      rel("to the left", Relation.LEFT), rel("to the right", Relation.RIGHT),
      rel("left side of", Relation.LEFT), rel("right side of", Relation.RIGHT),
      rel("above", Relation.ABOVE),
      rel("atop", Relation.ABOVE), rel("below", Relation.BELOW),
      rel("under", Relation.BELOW), rel("underneath", Relation.BELOW),
      rel("beneath", Relation.BELOW), rel("behind", Relation.BEHIND),
      rel("beside", Relation.NEXT), rel("near", Relation.NEAR),
      rel("nearby", Relation.NEAR), rel("inside", Relation.INSIDE), rel("within", Relation.INSIDE),
      rel("outside", Relation.OUTSIDE), rel("between", Relation.BETWEEN));

  private static Map.Entry<String[], Relation> rel(String phrase, Relation relation) {
    return Map.entry(phrase.split(" "), relation);
  }

  /**
   * Style boilerplate: quality tags and render buzzwords that change nothing a cache should care
   * about. Matched as token phrases anywhere in the prompt and left out of every comparison.
   */
  static final List<String[]> STYLE_PHRASES = phrases(
      "trending on artstation", "trending on art station", "featured on artstation",
      "octane render", "unreal engine 5", "unreal engine", "highly detailed", "high detail",
      "hyper detailed", "ultra detailed", "extremely detailed", "intricate details",
      "intricate detail", "very detailed", "sharp focus", "digital art", "digital painting",
      "concept art", "best quality", "high quality", "masterpiece", "award winning",
      "award-winning", "photorealistic", "hyperrealistic", "hyper realistic", "ultra realistic",
      "ultra-realistic", "realistic", "cinematic lighting", "cinematic", "studio lighting",
      "volumetric lighting", "dramatic lighting", "8k resolution", "4k resolution", "8k", "4k",
      "16k", "uhd", "hdr", "hd", "ultra hd", "full hd", "detailed", "intricate", "artstation",
      "cgsociety", "deviantart", "behance", "ray tracing", "raytracing", "rtx", "vray", "v-ray",
      "elegant", "beautiful", "stunning", "epic", "dslr", "bokeh", "depth of field",
      "professional", "high resolution", "high-resolution", "hi-res", "trending",
      // framing: "a photo of a cat" is a cat
      "a photo of", "a photograph of", "a picture of", "an image of", "a pic of", "a shot of",
      "photo of", "photograph of", "picture of", "image of", "pic of", "shot of");

  /** Words that, alone in a comma-separated part, only frame the prompt ("..., photo"). */
  static final Set<String> FRAMING_TAGS = Set.of("photo", "photos", "photograph", "photography",
      "picture", "image", "pic", "shot", "snapshot");

  private static List<String[]> phrases(String... all) {
    return java.util.Arrays.stream(all)
        .map(p -> p.split("[ \\-]"))
        .sorted((x, y) -> y.length - x.length)
        .toList();
  }
}
