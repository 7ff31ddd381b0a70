package dev.deja.bench.precision;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the labelled pair sets from the files in the evaluation directory ({@link
 * dev.deja.bench.EvalData}; {@code bench/scripts/fetch-eval-data.sh} fetches it) and from the hand-written image-prompt paraphrases and near misses bundled with the
 * harness.
 */
final class EvalSets {

  static final String PAWS = "paws";
  static final String COCO = "coco";
  static final String SWAPS = "image-swaps";
  static final String IMAGE_POSITIVES = "image-paraphrases";
  static final String HAND_POSITIVES = "hand-paraphrases";
  static final String HAND_NEGATIVES = "hand-near-misses";
  /** PAWS halves: guard rules are tuned on the first only; the second is held out. */
  static final String PAWS_TUNE = "paws-tune";
  static final String PAWS_HOLDOUT = "paws-holdout";

  private EvalSets() {}

  /** PAWS-Wiki dev: label 1 positive, 0 negative. */
  static List<LabelledPair> paws(Path dir) {
    List<LabelledPair> out = new ArrayList<>();
    for (String line : lines(dir.resolve("paws_wiki_final_dev.tsv"))) {
      String[] f = line.split("\t");
      if (f.length < 4) {
        continue;
      }
      boolean positive = f[3].strip().equals("1");
      out.add(new LabelledPair(PAWS, positive ? "paraphrase" : "not-paraphrase", f[1], f[2],
          positive, pawsHalf(f[0].strip())));
    }
    return out;
  }

  /**
   * The half of PAWS a pair belongs to, by the low bit of SHA-256("paws-split:" + pair id):
   * deterministic, independent of file order and of the label, about 50/50.
   */
  static String pawsHalf(String id) {
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256")
          .digest(("paws-split:" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return (h[0] & 1) == 0 ? PAWS_TUNE : PAWS_HOLDOUT;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** COCO captions grouped by image, in file order. */
  static Map<String, List<String>> cocoCaptions(Path dir) {
    Map<String, List<String>> byImage = new LinkedHashMap<>();
    List<String> all = lines(dir.resolve("coco_captions_val2017_flat.tsv"));
    for (String line : all.subList(1, all.size())) {
      String[] f = line.split("\t", 3);
      if (f.length == 3) {
        byImage.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[2].strip());
      }
    }
    return byImage;
  }

  /** Images with at least two captions, a seeded sample of {@code count} of them. */
  static List<String> sampleImages(Map<String, List<String>> byImage, int count, long seed) {
    List<String> ids = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : byImage.entrySet()) {
      if (e.getValue().size() >= 2) {
        ids.add(e.getKey());
      }
    }
    Collections.shuffle(ids, new Random(seed));
    return ids.subList(0, Math.min(count, ids.size()));
  }

  /** Caption 1 vs caption 2 of each sampled image. */
  static List<LabelledPair> cocoSameImage(Map<String, List<String>> byImage, List<String> ids) {
    List<LabelledPair> out = new ArrayList<>();
    for (String id : ids) {
      List<String> c = byImage.get(id);
      out.add(new LabelledPair(COCO, "same-image", c.get(0), c.get(1), true));
    }
    return out;
  }

  /** The hand-written image-prompt paraphrases (TSV: prompt_a, prompt_b, label). */
  static List<LabelledPair> handParaphrases() {
    return bundled(HAND_POSITIVES, "/precision/image-paraphrases.tsv");
  }

  /**
   * The hand-written image-prompt near misses: a detail added, the scene or medium changed, a noun
   * replaced, an opposite, a function word changed (TSV: prompt_a, prompt_b, label 0).
   */
  static List<LabelledPair> handNearMisses() {
    return bundled(HAND_NEGATIVES, "/precision/image-near-misses.tsv");
  }

  private static List<LabelledPair> bundled(String set, String resource) {
    try (InputStream in = EvalSets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " missing");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return parsePairs(set, Arrays.asList(text.split("\n")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Any TSV pairs file: prompt_a, prompt_b, label 1/0; '#' comments and blank lines skipped. */
  static List<LabelledPair> pairsFile(String set, Path file) {
    return parsePairs(set, lines(file));
  }

  private static List<LabelledPair> parsePairs(String set, List<String> lines) {
    List<LabelledPair> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : lines) {
      lineNo++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t");
      if (f.length < 3 || !(f[2].strip().equals("0") || f[2].strip().equals("1"))) {
        throw new IllegalArgumentException(set + " line " + lineNo
            + ": expected prompt_a<TAB>prompt_b<TAB>label(1|0), got: " + line);
      }
      boolean positive = f[2].strip().equals("1");
      String kind = f.length > 3 ? f[3].strip() : (positive ? "positive" : "negative");
      out.add(new LabelledPair(set, kind, f[0].strip(), f[1].strip(), positive));
    }
    return out;
  }

  // ---------------------------------------------------------------- image prompts

  /** Image prompts: T2I-CompBench validation files, then DrawBench, de-duplicated. */
  static List<String> imagePrompts(Path dir) {
    Set<String> prompts = new LinkedHashSet<>();
    Path comp = dir.resolve("t2i_compbench_val");
    for (String f : List.of("color_val.txt", "shape_val.txt", "texture_val.txt",
        "spatial_val.txt", "3d_spatial_val.txt", "numeracy_val.txt", "complex_val.txt",
        "non_spatial_val.txt")) {
      for (String l : lines(comp.resolve(f))) {
        if (!l.isBlank()) {
          prompts.add(l.strip());
        }
      }
    }
    prompts.addAll(drawBench(dir).keySet());
    return new ArrayList<>(prompts);
  }

  /** DrawBench prompt to category. */
  static Map<String, String> drawBench(Path dir) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> all = lines(dir.resolve("DrawBench_imagen.csv"));
    for (String line : all.subList(1, all.size())) {
      int comma = line.lastIndexOf(',');
      if (comma <= 0) {
        continue;
      }
      String prompt = line.substring(0, comma).strip();
      if (prompt.startsWith("\"") && prompt.endsWith("\"") && prompt.length() > 1) {
        prompt = prompt.substring(1, prompt.length() - 1).replace("\"\"", "\"");
      }
      out.put(prompt, line.substring(comma + 1).strip());
    }
    return out;
  }

  /**
   * Negatives from the image-prompt files: adjacent swapped lines of T2I-CompBench (same words,
   * other order), same-word pairs inside a DrawBench category, and programmatic variants of every
   * prompt: attribute swap, count change, relation swap, argument swap, inserted negation.
   */
  static List<LabelledPair> imageSwaps(Path dir) {
    Set<List<String>> seen = new LinkedHashSet<>();
    List<LabelledPair> out = new ArrayList<>();
    Path comp = dir.resolve("t2i_compbench_val");
    for (String f : List.of("color_val.txt", "shape_val.txt", "texture_val.txt",
        "spatial_val.txt", "3d_spatial_val.txt", "numeracy_val.txt", "complex_val.txt",
        "non_spatial_val.txt")) {
      List<String> ls = lines(comp.resolve(f)).stream().map(String::strip)
          .filter(s -> !s.isEmpty()).toList();
      for (int i = 0; i + 1 < ls.size(); i++) {
        if (!ls.get(i).equalsIgnoreCase(ls.get(i + 1))
            && bag(ls.get(i)).equals(bag(ls.get(i + 1)))
            && !sameCoordinatedParts(ls.get(i), ls.get(i + 1))) {
          add(out, seen, "compbench-adjacent-swap", ls.get(i), ls.get(i + 1));
        }
      }
    }
    Map<String, String> draw = drawBench(dir);
    List<String> drawPrompts = new ArrayList<>(draw.keySet());
    for (int i = 0; i < drawPrompts.size(); i++) {
      for (int j = i + 1; j < drawPrompts.size(); j++) {
        String a = drawPrompts.get(i);
        String b = drawPrompts.get(j);
        if (draw.get(a).equals(draw.get(b)) && !a.equalsIgnoreCase(b) && bag(a).equals(bag(b))
            && !sameCoordinatedParts(a, b)) {
          add(out, seen, "drawbench-same-words", a, b);
        }
      }
    }
    for (String p : imagePrompts(dir)) {
      variant(out, seen, "attribute-swap", p, swapAttributes(p));
      variant(out, seen, "number-change", p, changeNumber(p));
      variant(out, seen, "relation-swap", p, swapRelation(p));
      variant(out, seen, "argument-swap", p, swapArguments(p));
      variant(out, seen, "negation-insert", p, insertNegation(p));
    }
    return out;
  }

  /**
   * Positives generated from the same image prompts: style boilerplate appended, coordinated
   * phrases reordered ("a X and a Y" / "a Y and a X"), a relation stated from the other side.
   */
  static List<LabelledPair> imageParaphrases(Path dir) {
    Set<List<String>> seen = new LinkedHashSet<>();
    List<LabelledPair> out = new ArrayList<>();
    String[] suffixes = {", highly detailed, 8k", ", trending on artstation",
        ", digital art, 4k", ", octane render, unreal engine", ", masterpiece, best quality"};
    int k = 0;
    for (String p : imagePrompts(dir)) {
      String base = p.endsWith(".") ? p.substring(0, p.length() - 1) : p;
      add(out, seen, "style-suffix", p, base + suffixes[k++ % suffixes.length], true);
      variantPos(out, seen, "coordination-reorder", p, reorderCoordination(p));
      variantPos(out, seen, "inverse-relation", p, inverseRelation(p));
    }
    return out;
  }

  private static void variant(List<LabelledPair> out, Set<List<String>> seen, String kind,
      String a, String b) {
    if (b != null && !b.equalsIgnoreCase(a)) {
      add(out, seen, kind, a, b);
    }
  }

  private static void variantPos(List<LabelledPair> out, Set<List<String>> seen, String kind,
      String a, String b) {
    if (b != null && !b.equalsIgnoreCase(a)) {
      add(out, seen, kind, a, b, true);
    }
  }

  private static void add(List<LabelledPair> out, Set<List<String>> seen, String kind, String a,
      String b) {
    add(out, seen, kind, a, b, false);
  }

  private static void add(List<LabelledPair> out, Set<List<String>> seen, String kind, String a,
      String b, boolean positive) {
    if (seen.add(List.of(a.toLowerCase(Locale.ROOT), b.toLowerCase(Locale.ROOT)))) {
      out.add(new LabelledPair(positive ? IMAGE_POSITIVES : SWAPS, kind, a, b, positive));
    }
  }

  /** "a plastic chair and a wooden chair" / "a wooden chair and a plastic chair": same meaning. */
  static boolean sameCoordinatedParts(String a, String b) {
    return parts(a).equals(parts(b)) || attributeRuns(a).equals(attributeRuns(b));
  }

  /**
   * The prompt with every run of adjacent attribute words ("long, narrow yellow", "black and
   * white") replaced by its sorted words: two prompts with equal forms describe the same things.
   */
  static String attributeRuns(String p) {
    String[] words = p.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} ]", " ").strip()
        .split("\\s+");
    StringBuilder out = new StringBuilder();
    List<String> run = new ArrayList<>();
    for (int i = 0; i <= words.length; i++) {
      String w = i < words.length ? words[i] : "";
      boolean joiner = w.equals("and") && !run.isEmpty() && i + 1 < words.length
          && GEN_ATTRIBUTES.contains(words[i + 1]);
      if (GEN_ATTRIBUTES.contains(w) || joiner) {
        if (!joiner) {
          run.add(w);
        }
        continue;
      }
      if (!run.isEmpty()) {
        Collections.sort(run);
        out.append('[').append(String.join("+", run)).append("] ");
        run.clear();
      }
      out.append(w).append(' ');
    }
    return out.toString().strip();
  }

  private static Set<String> parts(String s) {
    Set<String> out = new java.util.HashSet<>();
    for (String part : s.toLowerCase(Locale.ROOT).replaceAll("[.]$", "").split(" and |, ")) {
      out.add(part.strip());
    }
    return out;
  }

  private static List<String> bag(String s) {
    List<String> w = new ArrayList<>(Arrays.asList(
        s.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} ]", " ").strip().split("\\s+")));
    Collections.sort(w);
    return w;
  }

  // Word lists of the generators: independent of the guard's lexicon on purpose (the generator
  // decides what a swap is; the guard must find it).
  private static final Set<String> GEN_ATTRIBUTES = Set.of("red", "green", "blue", "yellow",
      "orange", "purple", "pink", "brown", "black", "white", "gray", "grey", "silver", "gold",
      "wooden", "metallic", "glass", "plastic", "rubber", "leather", "fabric", "fluffy", "soft",
      "hard", "smooth", "rough", "round", "square", "rectangular", "triangular", "circular",
      "oval", "oblong", "cubic", "spherical", "cylindrical", "pentagonal", "hexagonal", "teardrop",
      "big", "small", "large", "tiny", "tall", "short", "long", "old", "new", "shiny", "sleek",
      "narrow", "wide", "bright", "dark", "neon", "pale");
  private static final List<String> NUMBER_WORDS = List.of("zero", "one", "two", "three", "four",
      "five", "six", "seven", "eight", "nine", "ten");
  private static final Pattern WORD = Pattern.compile("\\p{L}+|\\d+");

  /** Swaps the first two different attribute words. */
  static String swapAttributes(String p) {
    Matcher m = WORD.matcher(p);
    int[] first = null;
    while (m.find()) {
      String w = m.group().toLowerCase(Locale.ROOT);
      if (!GEN_ATTRIBUTES.contains(w)) {
        continue;
      }
      if (first == null) {
        first = new int[] {m.start(), m.end()};
      } else if (p.substring(first[1], m.start()).matches("\\s*,?\\s*|\\s+and\\s+")) {
        // "a black and white cat", "a large black motorcycle": both describe one noun, so
        // swapping them says the same; look for an attribute of another noun instead
        first = new int[] {m.start(), m.end()};
      } else if (!w.equalsIgnoreCase(p.substring(first[0], first[1]))) {
        String swapped = p.substring(0, first[0]) + m.group() + p.substring(first[1], m.start())
            + p.substring(first[0], first[1]) + p.substring(m.end());
        // "a plastic chair and a wooden chair": swapping gives the same scene
        return sameCoordinatedParts(p, swapped) ? null : swapped;
      }
    }
    return null;
  }

  /** Changes the first count (digit or number word) to the next number. */
  static String changeNumber(String p) {
    Matcher m = WORD.matcher(p);
    while (m.find()) {
      String w = m.group().toLowerCase(Locale.ROOT);
      int n = NUMBER_WORDS.indexOf(w);
      String repl = null;
      if (n >= 0) {
        repl = NUMBER_WORDS.get(n == NUMBER_WORDS.size() - 1 ? n - 1 : n + 1);
        if (Character.isUpperCase(m.group().charAt(0))) {
          repl = Character.toUpperCase(repl.charAt(0)) + repl.substring(1);
        }
      } else if (w.chars().allMatch(Character::isDigit) && w.length() < 4) {
        repl = Integer.toString(Integer.parseInt(w) + 1);
      }
      if (repl != null) {
        return p.substring(0, m.start()) + repl + p.substring(m.end());
      }
    }
    return null;
  }

  private static final String[][] RELATION_SWAPS = {
      {"on the left of", "on the right of"}, {"on the right of", "on the left of"},
      {"to the left of", "to the right of"}, {"to the right of", "to the left of"},
      {"on the top of", "on the bottom of"}, {"on the bottom of", "on the top of"},
      {"on top of", "below"}, {"in front of", "behind"}, {"behind", "in front of"},
      {"hidden by", "in front of"}, {"above", "below"}, {"below", "above"},
      {"underneath", "on top of"}, {"under", "above"}, {"on side of", "on top of"},
      {"next to", "on top of"}, {"near", "under"}};

  /** Replaces the first relation phrase by its opposite. */
  static String swapRelation(String p) {
    String lower = p.toLowerCase(Locale.ROOT);
    int best = -1;
    String[] bestSwap = null;
    for (String[] s : RELATION_SWAPS) {
      Matcher m = Pattern.compile("\\b" + Pattern.quote(s[0]) + "\\b").matcher(lower);
      if (m.find() && (best < 0 || m.start() < best)) {
        best = m.start();
        bestSwap = s;
      }
    }
    if (bestSwap == null) {
      return null;
    }
    String after = lower.substring(best + bestSwap[0].length());
    if (after.startsWith(" the other") || after.startsWith(" each other")
        || lower.substring(0, best).endsWith("one ")) {
      return null; // "one behind the other" / "one in front of the other": the same scene
    }
    Matcher args = RELATION_ARGS.matcher(p.strip());
    if (args.matches() && sameThing(args.group(2), args.group(5))) {
      return null; // "a phone in front of a phone" / "a phone behind a phone": the same scene
    }
    return p.substring(0, best) + bestSwap[1] + p.substring(best + bestSwap[0].length());
  }

  private static final Pattern RELATION_ARGS = Pattern.compile(
      "^(?i)(an? |the )(\\p{L}+(?: \\p{L}+){0,2}) (on the left of|on the right of|to the left of|to the right of"
          + "|on the top of|on the bottom of|on top of|in front of|next to|on side of|hidden by"
          + "|behind|above|below|under|underneath|near|on) (an? |the )(\\p{L}+(?: \\p{L}+){0,2})"
          + "\\.?$");

  private static final Set<String> SYMMETRIC = Set.of("next to", "near", "on side of");

  /** Same noun, or sofa/couch (the one synonym pair T2I-CompBench puts on both sides). */
  private static boolean sameThing(String a, String b) {
    String x = a.toLowerCase(Locale.ROOT).replace("couch", "sofa");
    String y = b.toLowerCase(Locale.ROOT).replace("couch", "sofa");
    return x.equals(y);
  }

  /** "a X REL a Y" -> "a Y REL a X". */
  static String swapArguments(String p) {
    Matcher m = RELATION_ARGS.matcher(p.strip());
    if (!m.matches() || sameThing(m.group(2), m.group(5))
        || SYMMETRIC.contains(m.group(3).toLowerCase(Locale.ROOT))) {
      return null; // "a lamp next to a giraffe" is "a giraffe next to a lamp"
    }
    return article(m.group(5), m.group(1)) + m.group(5) + " " + m.group(3) + " "
        + article(m.group(2), m.group(4)) + m.group(2);
  }

  private static String article(String noun, String original) {
    if (original.equalsIgnoreCase("the ")) {
      return original;
    }
    String a = "aeiou".indexOf(Character.toLowerCase(noun.charAt(0))) >= 0 ? "an " : "a ";
    return Character.isUpperCase(original.charAt(0))
        ? Character.toUpperCase(a.charAt(0)) + a.substring(1) : a;
  }

  /** Inserts a negation: "and a X" -> "and no X", else "with" -> "without", else "a X" -> "no X". */
  static String insertNegation(String p) {
    Matcher and = Pattern.compile("\\band an? ").matcher(p);
    if (and.find()) {
      return p.substring(0, and.start()) + "and no " + p.substring(and.end());
    }
    Matcher with = Pattern.compile("\\bwith\\b").matcher(p);
    if (with.find()) {
      return p.substring(0, with.start()) + "without" + p.substring(with.end());
    }
    Matcher a = Pattern.compile("(?i)^an? ").matcher(p);
    if (a.find()) {
      return (Character.isUpperCase(p.charAt(0)) ? "No " : "no ") + p.substring(a.end());
    }
    return null;
  }

  private static final Pattern COORDINATION = Pattern.compile(
      "^(?i)((?:an?|one|two|three|four|five|six) [\\p{L} ]+?) and ((?:an?|one|two|three|four|five"
          + "|six) [\\p{L} ]+?)\\.?$");

  /** "a X and a Y" -> "a Y and a X" when the prompt is exactly that. */
  static String reorderCoordination(String p) {
    Matcher m = COORDINATION.matcher(p.strip());
    if (!m.matches() || m.group(1).contains(" and ") || m.group(2).contains(" and ")) {
      return null;
    }
    String second = m.group(2);
    if (Character.isUpperCase(p.charAt(0))) {
      second = Character.toUpperCase(second.charAt(0)) + second.substring(1);
      return second + " and " + Character.toLowerCase(m.group(1).charAt(0))
          + m.group(1).substring(1);
    }
    return second + " and " + m.group(1);
  }

  private static final Map<String, String> INVERSE = Map.of(
      "on the left of", "on the right of", "on the right of", "on the left of",
      "to the left of", "to the right of", "to the right of", "to the left of",
      "in front of", "behind", "behind", "in front of", "above", "below", "below", "above",
      "next to", "next to", "near", "near");

  /** "a X left of a Y" -> "a Y right of a X". */
  static String inverseRelation(String p) {
    Matcher m = RELATION_ARGS.matcher(p.strip());
    if (!m.matches()) {
      return null;
    }
    String inv = INVERSE.get(m.group(3).toLowerCase(Locale.ROOT));
    if (inv == null) {
      return null;
    }
    return article(m.group(5), m.group(1)) + m.group(5) + " " + inv + " "
        + article(m.group(2), m.group(4)) + m.group(2);
  }

  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read evaluation file " + file.toAbsolutePath(), e);
    }
  }
}
