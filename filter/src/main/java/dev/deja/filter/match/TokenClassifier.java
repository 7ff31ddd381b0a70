package dev.deja.filter.match;

import dev.deja.filter.match.Lexicon.Relation;
import dev.deja.filter.match.PromptAnalysis.Kind;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Second stage of the analysis: gives every token of a {@link Tokenizer.Scan} its class (style
 * and relation phrases, negations, numbers, dates, function words, content words with their
 * stems), then numbers the coordinated phrases (chunks) and comma-separated parts (clauses).
 */
final class TokenClassifier {

  private TokenClassifier() {}

  /** Relation phrases by first word, longest first. */
  private static final Map<String, List<Map.Entry<String[], Relation>>> RELATIONS =
      Lexicon.RELATION_PHRASES.stream()
          .sorted(Comparator.comparingInt((Map.Entry<String[], Relation> e) -> -e.getKey().length))
          .collect(Collectors.groupingBy(e -> e.getKey()[0],
              java.util.LinkedHashMap::new, Collectors.toList()));

  /** Style phrases by first word, longest first. */
  private static final Map<String, List<String[]>> STYLE = Lexicon.STYLE_PHRASES.stream()
      .collect(Collectors.groupingBy(p -> p[0], java.util.LinkedHashMap::new,
          Collectors.toList()));

  /** Marks style phrases, relation phrases, then every remaining word by its class. */
  static void classify(List<DraftToken> tokens) {
    int n = tokens.size();
    for (int i = 0; i < n; i++) {
      DraftToken t = tokens.get(i);
      if (t.kind != Kind.CONTENT) {
        continue;
      }
      int styleLen = matchPhrase(tokens, i, STYLE.getOrDefault(t.text, List.of()));
      if (styleLen > 0) {
        for (int k = 0; k < styleLen; k++) {
          tokens.get(i + k).kind = Kind.STYLE;
        }
        i += styleLen - 1;
        continue;
      }
      for (Map.Entry<String[], Relation> e : RELATIONS.getOrDefault(t.text, List.of())) {
        if (numericRange(tokens, i, e.getValue())) {
          t.kind = Kind.STOP; // a range reads like "from 2001 to 2005"
          t.stem = t.text;
          break;
        }
        if (matches(tokens, i, e.getKey())) {
          for (int k = 0; k < e.getKey().length; k++) {
            DraftToken r = tokens.get(i + k);
            r.kind = Kind.RELATION;
          }
          t.relation = e.getValue();
          t.span = e.getKey().length;
          i += e.getKey().length - 1;
          break;
        }
      }
    }
    for (DraftToken t : tokens) {
      if (t.kind != Kind.CONTENT) {
        continue;
      }
      String w = t.text;
      if (Lexicon.NEGATIONS.contains(w)) {
        t.kind = Kind.NEGATION;
      } else if (Lexicon.CHUNK_BREAKS.contains(w)) {
        t.kind = Kind.BREAK;
      } else if (isDigits(w)) {
        t.kind = Kind.NUMBER;
        t.number = stripLeadingZeros(w);
      } else if (isDigitOrdinal(w)) {
        // "11th" is "eleventh"
        t.kind = Kind.NUMBER;
        t.number = "#" + stripLeadingZeros(w.substring(0, w.length() - 2));
      } else if (Character.isDigit(w.charAt(0))) {
        // a number with a unit: 35mm, 9k, 1080p, 3d
        t.kind = Kind.NUMBER;
        t.number = w;
      } else if (Lexicon.NUMBER_WORDS.containsKey(w)) {
        t.kind = Kind.NUMBER;
        t.number = Lexicon.NUMBER_WORDS.get(w);
      } else if (Lexicon.EN_STOP.contains(w) || Lexicon.OTHER_STOP.contains(w)) {
        t.kind = Kind.STOP;
        t.roleMarker = Lexicon.ROLE_MARKERS.contains(w);
        t.stem = w;
      } else {
        stem(t);
      }
    }
    for (int i = 0; i + 1 < tokens.size(); i++) {
      DraftToken t = tokens.get(i);
      if (t.attribute && Lexicon.NAMES.getOrDefault(t.text, Set.of())
          .contains(tokens.get(i + 1).text)) {
        t.attribute = false;
      }
    }
    framingTags(tokens);
    // twenty five -> 25, twenty-first -> 21st
    for (int i = 0; i + 1 < tokens.size(); i++) {
      DraftToken a = tokens.get(i);
      DraftToken b = tokens.get(i + 1);
      if (a.kind == Kind.NUMBER && b.kind == Kind.NUMBER && isTens(a.number)) {
        boolean ordinal = b.number.startsWith("#");
        String unit = ordinal ? b.number.substring(1) : b.number;
        if (unit.length() == 1 && !unit.equals("0")) {
          int sum = Integer.parseInt(a.number) + Integer.parseInt(unit);
          a.number = (ordinal ? "#" : "") + sum;
          b.kind = Kind.STOP;
        }
      }
    }
    for (int i = 0; i < tokens.size(); i++) {
      DraftToken t = tokens.get(i);
      if (t.kind != Kind.NUMBER) {
        continue;
      }
      int month = monthOf(tokens, i);
      if (month >= 0 && isDay(t.number)) {
        // a day of the month is a date, however written: "18th April", "April 18", "18th of
        // April"; the order check sees it right after its month
        t.number = t.number.startsWith("#") ? t.number.substring(1) : t.number;
        t.dayOfMonth = true;
        if (month > i) {
          tokens.get(month).day = t;
          t.dayBeforeMonth = true;
        }
      } else if (t.text.equals("first") && adverbial(tokens, i)) {
        // "she first painted it", "at first": an adverb, not the first of anything
        t.kind = Kind.STOP;
        t.stem = t.text;
      }
    }
    // chunks: coordinated phrases ("a cat and a dog"); clauses: comma-separated parts
    int chunk = 0;
    int clause = 0;
    for (DraftToken t : tokens) {
      if (t.kind == Kind.BREAK) {
        chunk++;
        if (t.text.equals(",")) {
          clause++;
        }
      }
      t.chunk = chunk;
      t.clause = clause;
    }
  }

  /** Number of digits, so that a unit or ordinal suffix ("49th", "35mm") does not count. */
  static int digits(String number) {
    int d = 0;
    for (int i = 0; i < number.length(); i++) {
      if (Character.isDigit(number.charAt(i))) {
        d++;
      }
    }
    return d;
  }

  private static boolean isDigitOrdinal(String w) {
    int n = w.length();
    if (n < 3 || !isDigits(w.substring(0, n - 2))) {
      return false;
    }
    String suffix = w.substring(n - 2);
    return suffix.equals("st") || suffix.equals("nd") || suffix.equals("rd")
        || suffix.equals("th");
  }

  /**
   * A comma-separated part that only names the medium ("..., photo", "..., professional photo")
   * frames the prompt like "a photo of ...": style, not content.
   */
  private static void framingTags(List<DraftToken> tokens) {
    int start = 0;
    for (int i = 0; i <= tokens.size(); i++) {
      if (i < tokens.size() && !(tokens.get(i).kind == Kind.BREAK
          && tokens.get(i).text.equals(","))) {
        continue;
      }
      boolean framing = false;
      for (int k = start; k < i; k++) {
        DraftToken t = tokens.get(k);
        if (t.kind == Kind.CONTENT) {
          framing = Lexicon.FRAMING_TAGS.contains(t.text);
          if (!framing) {
            break;
          }
        }
      }
      if (framing) {
        for (int k = start; k < i; k++) {
          if (tokens.get(k).kind == Kind.CONTENT) {
            tokens.get(k).kind = Kind.STYLE;
          }
        }
      }
      start = i + 1;
    }
  }

  /** "at first", or "first" right before a verb and not after a determiner ("he first came"). */
  private static boolean adverbial(List<DraftToken> tokens, int i) {
    String previous = i > 0 ? tokens.get(i - 1).text : "";
    if (previous.equals("at")) {
      return true;
    }
    if (i + 1 == tokens.size() || Lexicon.DETERMINERS.contains(previous)) {
      return false;
    }
    String next = tokens.get(i + 1).text;
    return isVerbForm(next) || Lexicon.COMMON_VERBS.contains(next);
  }

  /** A day of the month: 1 to 31, in digits or as an ordinal ("18", "#18"). */
  private static boolean isDay(String number) {
    String n = number.startsWith("#") ? number.substring(1) : number;
    if (n.isEmpty() || n.length() > 2 || !isDigits(n)) {
      return false;
    }
    int day = Integer.parseInt(n);
    return day >= 1 && day <= 31;
  }

  /** Index of the month name a number is the day of ("April 18", "18 April", "18th of April"). */
  private static int monthOf(List<DraftToken> tokens, int i) {
    if (i > 0 && Lexicon.MONTHS.contains(tokens.get(i - 1).text)) {
      return i - 1;
    }
    if (i > 1 && tokens.get(i - 1).text.equals("the")
        && Lexicon.MONTHS.contains(tokens.get(i - 2).text)) {
      return i - 2; // "April the 18th"
    }
    int next = i + 1;
    if (next < tokens.size() && tokens.get(next).text.equals("of")) {
      next++;
    }
    return next < tokens.size() && Lexicon.MONTHS.contains(tokens.get(next).text) ? next : -1;
  }

  private static boolean isTens(String number) {
    return number.length() == 2 && number.charAt(1) == '0' && number.charAt(0) >= '2';
  }

  private static int matchPhrase(List<DraftToken> tokens, int at, List<String[]> phrases) {
    for (String[] p : phrases) {
      if (matches(tokens, at, p)) {
        return p.length;
      }
    }
    return 0;
  }

  private static boolean matches(List<DraftToken> tokens, int at, String[] phrase) {
    if (at + phrase.length > tokens.size()) {
      return false;
    }
    for (int k = 0; k < phrase.length; k++) {
      DraftToken t = tokens.get(at + k);
      if (t.kind != Kind.CONTENT || !t.text.equals(phrase[k])) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigits(String w) {
    for (int i = 0; i < w.length(); i++) {
      if (!Character.isDigit(w.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static String stripLeadingZeros(String w) {
    int i = 0;
    while (i < w.length() - 1 && w.charAt(i) == '0') {
      i++;
    }
    StringBuilder sb = new StringBuilder();
    for (int k = i; k < w.length(); k++) {
      sb.append(Character.digit(w.charAt(k), 10));
    }
    return sb.toString();
  }

  /** Light plural stemmer plus synonym folding; sets {@code stem}, {@code plural}, attribute. */
  private static void stem(DraftToken t) {
    String w = Lexicon.SYNONYMS.getOrDefault(t.text, t.text);
    boolean plural = false;
    String irregular = Lexicon.IRREGULAR_PLURALS.get(w);
    if (irregular != null) {
      w = irregular;
      plural = true;
    } else if (w.length() > 4 && w.endsWith("ies")) {
      w = w.substring(0, w.length() - 3) + "y";
      plural = true;
    } else if (w.length() > 4 && (w.endsWith("ses") || w.endsWith("xes") || w.endsWith("zes")
        || w.endsWith("ches") || w.endsWith("shes"))) {
      w = w.substring(0, w.length() - 2);
      plural = true;
    } else if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us")
        && !w.endsWith("is") && !w.endsWith("os")) {
      w = w.substring(0, w.length() - 1);
      plural = true;
    }
    if (w.length() > 4 && w.endsWith("tre")) {
      // British -tre: centre, metre, litre, theatre (not -bre: "timbre" is not "timber")
      w = w.substring(0, w.length() - 2) + "er";
    }
    w = Lexicon.SYNONYMS.getOrDefault(w, w);
    w = Lexicon.SCENE.getOrDefault(w, w); // "dawn" is "sunrise", "snowy" is "snow"
    t.stem = w;
    t.plural = plural;
    t.attribute = Lexicon.ATTRIBUTES.contains(t.text) || Lexicon.ATTRIBUTES.contains(w);
  }

  static boolean isVerbForm(String w) {
    return (w.length() > 5 && w.endsWith("ing")) || (w.length() > 4 && w.endsWith("ed"));
  }

  /** "between 2001 and 2005", "between January 21 and 28": a range, not a place. */
  private static boolean numericRange(List<DraftToken> tokens, int at, Relation relation) {
    if (relation != Relation.BETWEEN || at + 1 >= tokens.size()) {
      return false;
    }
    String next = tokens.get(at + 1).text;
    return Character.isDigit(next.charAt(0)) || Lexicon.MONTHS.contains(next);
  }
}
