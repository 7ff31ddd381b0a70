package dev.deja.filter.match;

import dev.deja.filter.match.Lexicon.Relation;
import dev.deja.filter.text.Normalize;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One prompt, tokenized and annotated for the guard: content words with their stems and chunk,
 * numbers, negations, spatial relations and attributes, each bound to the noun phrase it modifies.
 *
 * <p>Plain code-point scanning, no regular expressions on the hot path: a decision analyzes two
 * prompts and must stay far below 0.2 ms.
 */
final class PromptAnalysis {

  /** Broad script class of a prompt, decided by its letters. */
  enum Script { NONE, LATIN, CJK, OTHER }

  enum Kind { CONTENT, STOP, NUMBER, NEGATION, RELATION, STYLE, BREAK }

  static final class Token {
    final String text;
    Kind kind;
    String stem;
    boolean plural;
    boolean attribute;
    String number;
    Relation relation;
    /** A number that is the day of a month named next to it. */
    boolean dayOfMonth;
    /** A day written before its month ("18 April"): the order check sees it after the month. */
    boolean dayBeforeMonth;
    /** For a month name: the day written before it ("18 April"), ordered after it. */
    Token day;
    /** Number of tokens of the relation phrase this token starts. */
    int span = 1;
    /** A function word whose position carries a role ("from X to Y", "by X"). */
    boolean roleMarker;
    /** An attribute bound to a noun phrase: the binding check owns it, the order check skips it. */
    boolean bound;
    /** What the order check compares: the stem, for a phrase head also its attributes. */
    String orderKey;
    /** A noun of a fully bound spatial relation: the relation check owns its order. */
    boolean relationArgument;
    int chunk;
    int clause;

    Token(String text, Kind kind) {
      this.text = text;
      this.kind = kind;
    }

    String key() {
      return orderKey != null ? orderKey : stem;
    }

    @Override
    public String toString() {
      return text + "/" + kind + (stem != null ? ":" + stem : "");
    }
  }

  /**
   * A modifier (attribute, count, negation) bound to a noun phrase, given by the stems of its
   * non-attribute words (empty when it binds to nothing).
   */
  record Binding(String modifier, Set<String> phrase, String head) {
    Binding(String modifier, Set<String> phrase) {
      this(modifier, phrase, "");
    }
  }

  /** A spatial relation between two noun phrases, canonical (inverses folded). */
  record Triple(Set<String> subject, Relation relation, Set<String> object) {}

  /** Relation phrases by first word, longest first. */
  private static final Map<String, List<Map.Entry<String[], Relation>>> RELATIONS =
      Lexicon.RELATION_PHRASES.stream()
          .sorted(Comparator.comparingInt((Map.Entry<String[], Relation> e) -> -e.getKey().length))
          .collect(java.util.stream.Collectors.groupingBy(e -> e.getKey()[0],
              java.util.LinkedHashMap::new, java.util.stream.Collectors.toList()));

  /** Style phrases by first word, longest first. */
  private static final Map<String, List<String[]>> STYLE = Lexicon.STYLE_PHRASES.stream()
      .collect(java.util.stream.Collectors.groupingBy(p -> p[0], java.util.LinkedHashMap::new,
          java.util.stream.Collectors.toList()));

  final String normalized;
  final Script script;
  final boolean englishLike;
  final List<Token> tokens;
  /** Content tokens in order (no stop words, style, numbers, negations or relations). */
  final List<Token> content;
  /** Content tokens and role markers in order: what the word-order check compares. */
  final List<Token> ordered;
  final List<Binding> attributes = new ArrayList<>();
  final List<Binding> numbers = new ArrayList<>();
  /**
   * Nouns whose number a determiner states ("a", "the", "these"...): only for those must singular
   * and plural agree ("the dog" / "the dogs"), not for bare nouns in prose ("routine conflict" /
   * "routine conflicts").
   */
  final Set<String> numberMarked = new java.util.HashSet<>();
  /** Heads introduced by "a"/"an" (an implicit count of one). */
  final List<String> singularArticles = new ArrayList<>();
  final List<Binding> negations = new ArrayList<>();
  final List<Triple> relations = new ArrayList<>();
  /**
   * Years (numbers of four or more digits) with the content words of their coordinated phrase.
   * Years move freely in the order check, but when phrases trade places they must take their
   * years along: "she retired in 1884 and died in 1885" is not "she died in 1884 and retired in
   * 1885".
   */
  final List<Binding> years = new ArrayList<>();

  private PromptAnalysis(String normalized, Script script, List<Token> tokens) {
    this.normalized = normalized;
    this.script = script;
    this.tokens = tokens;
    int en = 0;
    int other = 0;
    boolean accented = false;
    for (Token t : tokens) {
      if (Lexicon.EN_STOP.contains(t.text)) {
        en++;
      }
      if (Lexicon.OTHER_ONLY_STOP.contains(t.text)) {
        other++;
      }
      for (int i = 0; i < t.text.length(); i++) {
        if (t.text.charAt(i) > 0x7f) {
          accented = true;
          break;
        }
      }
    }
    this.englishLike = script == Script.LATIN && en >= other && !(accented && en == 0);
    List<Token> c = new ArrayList<>();
    for (Token t : tokens) {
      if (t.kind == Kind.CONTENT) {
        c.add(t);
      }
    }
    this.content = c;
    bind();
    List<Token> o = new ArrayList<>();
    for (Token t : tokens) {
      if (t.kind == Kind.CONTENT) {
        if (!t.bound && !t.relationArgument) {
          o.add(t);
        }
      } else if (t.roleMarker) {
        o.add(t);
      } else if (t.kind == Kind.NUMBER && t.dayBeforeMonth) {
        continue; // placed after its month
      } else if (t.kind == Kind.NUMBER && digits(t.number) < 4) {
        // counts and ordinals take part in the order ("the first floor ... the second floor",
        // "the 49th ... the 29th": an ordinal's suffix does not make it a year); years and other
        // numbers of four or more digits move freely with their phrase
        t.stem = "#" + t.number;
        o.add(t);
      }
      if (t.day != null) {
        // "18 April" reads as "April 18" (whatever the month token is: "may" is a stop word)
        t.day.stem = "#" + t.day.number;
        o.add(t.day);
      }
    }
    this.ordered = o;
    for (Token t : tokens) {
      if (t.kind == Kind.NUMBER && digits(t.number) >= 4) {
        Set<String> words = new java.util.HashSet<>();
        for (Token u : tokens) {
          if (u.chunk == t.chunk && u.kind == Kind.CONTENT) {
            words.add(u.stem);
          }
        }
        years.add(new Binding(t.number, words));
      }
    }
  }

  static PromptAnalysis of(String prompt) {
    String text = Normalize.forGuard(prompt);
    List<Token> tokens = new ArrayList<>();
    int latin = 0;
    int cjk = 0;
    int other = 0;
    StringBuilder word = new StringBuilder();
    int n = text.length();
    for (int i = 0; i < n; ) {
      int cp = text.codePointAt(i);
      int len = Character.charCount(cp);
      if (isCjk(cp)) {
        flush(word, tokens);
        tokens.add(new Token(new String(Character.toChars(cp)), Kind.CONTENT));
        cjk++;
      } else if (Character.getType(cp) == Character.OTHER_SYMBOL) {
        // Emoji and pictographs: BGE maps them all to one unknown token, so "a 🐱 on a car" and
        // "a 🐶 on a car" embed alike; as content words they must match like any other noun.
        flush(word, tokens);
        tokens.add(new Token(new String(Character.toChars(cp)), Kind.CONTENT));
      } else if (cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F)
          || Character.getType(cp) == Character.MODIFIER_SYMBOL) {
        // Joiners, variation selectors and skin-tone modifiers only style an emoji.
        flush(word, tokens);
        i += len;
        continue;
      } else if (Character.isLetterOrDigit(cp) || isMark(cp)) {
        word.appendCodePoint(cp);
        if (Character.isLetter(cp)) {
          if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.LATIN) {
            latin++;
          } else {
            other++;
          }
        }
      } else if ((cp == '\'' || cp == '\u2019') && word.length() > 0 && i + len < n
          && Character.isLetter(text.codePointAt(i + len))) {
        // n't -> not; 's and other clitics are dropped
        int next = i + len;
        int end = next;
        while (end < n && Character.isLetter(text.codePointAt(end))) {
          end += Character.charCount(text.codePointAt(end));
        }
        String clitic = text.substring(next, end);
        if (clitic.equals("t") && word.length() > 1 && word.charAt(word.length() - 1) == 'n') {
          word.setLength(word.length() - 1);
          flush(word, tokens);
          tokens.add(new Token("not", Kind.NEGATION));
        } else {
          flush(word, tokens);
        }
        i = end;
        continue;
      } else {
        flush(word, tokens);
        if (isBreakPunctuation(cp) && !tokens.isEmpty()
            && tokens.get(tokens.size() - 1).kind != Kind.BREAK) {
          tokens.add(new Token(",", Kind.BREAK));
        }
      }
      i += len;
    }
    flush(word, tokens);
    Script script;
    if (latin == 0 && cjk == 0 && other == 0) {
      script = Script.NONE;
    } else if (latin >= cjk && latin >= other) {
      script = Script.LATIN;
    } else if (cjk >= other) {
      script = Script.CJK;
    } else {
      script = Script.OTHER;
    }
    classify(tokens);
    return new PromptAnalysis(text, script, tokens);
  }

  private static void flush(StringBuilder word, List<Token> tokens) {
    if (word.length() > 0) {
      tokens.add(new Token(word.toString(), Kind.CONTENT));
      word.setLength(0);
    }
  }

  private static boolean isMark(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
  }

  private static boolean isCjk(int cp) {
    Character.UnicodeScript s = Character.UnicodeScript.of(cp);
    return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
        || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.THAI;
  }

  private static boolean isBreakPunctuation(int cp) {
    switch (cp) {
      case ',', ';', ':', '.', '!', '?', '|', '\n',
          '\uff0c', '\u3001', '\u3002', '\uff1b', '\uff1a', '\uff01', '\uff1f' -> {
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  /** Marks style phrases, relation phrases, then every remaining word by its class. */
  private static void classify(List<Token> tokens) {
    int n = tokens.size();
    for (int i = 0; i < n; i++) {
      Token t = tokens.get(i);
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
            Token r = tokens.get(i + k);
            r.kind = Kind.RELATION;
          }
          t.relation = e.getValue();
          t.span = e.getKey().length;
          i += e.getKey().length - 1;
          break;
        }
      }
    }
    for (Token t : tokens) {
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
      Token t = tokens.get(i);
      if (t.attribute && Lexicon.NAMES.getOrDefault(t.text, Set.of())
          .contains(tokens.get(i + 1).text)) {
        t.attribute = false;
      }
    }
    framingTags(tokens);
    // twenty five -> 25, twenty-first -> 21st
    for (int i = 0; i + 1 < tokens.size(); i++) {
      Token a = tokens.get(i);
      Token b = tokens.get(i + 1);
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
      Token t = tokens.get(i);
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
        // "he first appeared", "at first": an adverb, not the first of anything
        t.kind = Kind.STOP;
        t.stem = t.text;
      }
    }
    // chunks: coordinated phrases ("a cat and a dog"); clauses: comma-separated parts
    int chunk = 0;
    int clause = 0;
    for (Token t : tokens) {
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
  private static int digits(String number) {
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
  private static void framingTags(List<Token> tokens) {
    int start = 0;
    for (int i = 0; i <= tokens.size(); i++) {
      if (i < tokens.size() && !(tokens.get(i).kind == Kind.BREAK
          && tokens.get(i).text.equals(","))) {
        continue;
      }
      boolean framing = false;
      for (int k = start; k < i; k++) {
        Token t = tokens.get(k);
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
  private static boolean adverbial(List<Token> tokens, int i) {
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
  private static int monthOf(List<Token> tokens, int i) {
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

  private static int matchPhrase(List<Token> tokens, int at, List<String[]> phrases) {
    for (String[] p : phrases) {
      if (matches(tokens, at, p)) {
        return p.length;
      }
    }
    return 0;
  }

  private static boolean matches(List<Token> tokens, int at, String[] phrase) {
    if (at + phrase.length > tokens.size()) {
      return false;
    }
    for (int k = 0; k < phrase.length; k++) {
      Token t = tokens.get(at + k);
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
  private static void stem(Token t) {
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

  private static boolean isVerbForm(String w) {
    return (w.length() > 5 && w.endsWith("ing")) || (w.length() > 4 && w.endsWith("ed"));
  }

  /**
   * Groups adjacent content tokens into noun phrases (a run ends at any non-content token or before
   * a verb form) and binds attributes, counts, negations and relations to those phrases.
   */
  private void bind() {
    int n = tokens.size();
    // index of the phrase each content token belongs to
    int[] phraseOf = new int[n];
    java.util.Arrays.fill(phraseOf, -1);
    List<Set<String>> nouns = new ArrayList<>();
    List<Integer> headOf = new ArrayList<>();
    List<List<String>> groups = new ArrayList<>();
    int i = 0;
    while (i < n) {
      if (tokens.get(i).kind != Kind.CONTENT) {
        i++;
        continue;
      }
      int start = i;
      int end = i + 1;
      boolean hasNoun = !tokens.get(start).attribute;
      while (end < n) {
        Token next = tokens.get(end);
        if (next.kind == Kind.CONTENT && !(hasNoun && isVerbForm(next.text))
            && !(hasNoun && Lexicon.COMMON_VERBS.contains(next.text))) {
          hasNoun |= !next.attribute;
          end++;
        } else if (!hasNoun && next.kind == Kind.BREAK && end + 1 < n
            && tokens.get(end - 1).attribute && tokens.get(end + 1).kind == Kind.CONTENT
            && tokens.get(end + 1).attribute) {
          end++; // "black and white tiles", "a long, narrow kitchen": one phrase
        } else {
          break;
        }
      }
      Set<String> words = new java.util.HashSet<>();
      int head = -1;
      for (int k = start; k < end; k++) {
        Token w = tokens.get(k);
        if (w.kind != Kind.CONTENT) {
          continue;
        }
        phraseOf[k] = nouns.size();
        if (!w.attribute) {
          words.add(w.stem);
          head = k;
        }
      }
      // only attributes: "a red orange" has "orange" as its noun; a lone "red" is predicative
      boolean lastIsNoun = words.isEmpty() && end - start > 1;
      if (lastIsNoun) {
        head = end - 1;
        words.add(tokens.get(head).stem);
      }
      int phrase = nouns.size();
      nouns.add(words);
      headOf.add(head);
      groups.add(new ArrayList<>());
      boolean predicative = words.isEmpty();
      for (int k = start; k < end; k++) {
        Token t = tokens.get(k);
        if (t.kind != Kind.CONTENT || !t.attribute || k == head) {
          continue;
        }
        int target = phrase;
        if (predicative) {
          // "the car is red": binds back over a form of "be"; otherwise to nothing
          int prev = previousPhrase(start, phraseOf);
          boolean copula = start > 0 && Lexicon.COPULAS.contains(tokens.get(start - 1).text);
          target = prev >= 0 && copula ? prev : -1;
        }
        if (target < 0) {
          attributes.add(new Binding(t.stem, Set.of()));
        } else {
          groups.get(target).add(t.stem);
          t.bound = true;
        }
      }
      i = end;
    }
    // one binding per noun phrase: its attributes as a set, so "a small blue book on a large red
    // book" differs from "a small large book on a blue red book" although every attribute is
    // about a book, and adjective order inside a phrase does not matter
    for (int p = 0; p < nouns.size(); p++) {
      List<String> group = groups.get(p);
      if (group.isEmpty()) {
        continue;
      }
      java.util.Collections.sort(group);
      String signature = String.join("+", group);
      int head = headOf.get(p);
      attributes.add(new Binding(signature, nouns.get(p), head >= 0 ? tokens.get(head).stem : ""));
      if (head >= 0) {
        tokens.get(head).orderKey = tokens.get(head).stem + "|" + signature;
      }
    }
    for (int k = 0; k < n; k++) {
      Token t = tokens.get(k);
      if (t.kind == Kind.NUMBER) {
        // a count binds to the noun phrase right after it ("two red cats"); a year, an ordinal or
        // a number that stands alone ("in 1949 ,") binds to nothing
        boolean count = t.number.length() < 4 && !t.dayOfMonth;
        boolean adjacent = k + 1 < n && phraseOf[k + 1] >= 0;
        numbers.add(new Binding(t.number,
            count && adjacent ? nouns.get(phraseOf[k + 1]) : Set.of()));
      } else if (t.kind == Kind.NEGATION) {
        negations.add(new Binding("not", phraseAfter(k, phraseOf, nouns)));
      } else if (t.kind == Kind.STOP && (t.text.equals("a") || t.text.equals("an"))) {
        Set<String> h = phraseAfter(k, phraseOf, nouns);
        singularArticles.addAll(h);
        numberMarked.addAll(h);
      } else if (t.kind == Kind.STOP && Lexicon.NUMBER_MARKERS.contains(t.text)) {
        numberMarked.addAll(phraseAfter(k, phraseOf, nouns));
      } else if (t.relation != null) {
        int prev = previousPhrase(k, phraseOf);
        Set<String> subject = prev >= 0 ? nouns.get(prev) : Set.of();
        Set<String> object = phraseAfter(k + t.span - 1, phraseOf, nouns);
        Relation r = t.relation;
        if (!subject.isEmpty() && !object.isEmpty() && Lexicon.DIRECTIONAL.contains(r)) {
          markRelationArguments(prev, phraseOf);
          markRelationArguments(phraseOf[nextContent(k + t.span - 1, phraseOf)], phraseOf);
        }
        Relation inverse = Lexicon.INVERSE.get(r);
        if (inverse != null) {
          relations.add(new Triple(object, inverse, subject));
        } else if (Lexicon.SYMMETRIC.contains(r)) {
          relations.add(new Triple(Set.of(), r, Set.of()));
        } else {
          relations.add(new Triple(subject, r, object));
        }
      }
    }
  }

  private void markRelationArguments(int phrase, int[] phraseOf) {
    for (int k = 0; k < phraseOf.length; k++) {
      if (phraseOf[k] == phrase && !tokens.get(k).attribute) {
        tokens.get(k).relationArgument = true;
      }
    }
  }

  private int nextContent(int at, int[] phraseOf) {
    for (int k = at + 1; k < phraseOf.length; k++) {
      if (phraseOf[k] >= 0) {
        return k;
      }
    }
    return at;
  }

  private int previousPhrase(int at, int[] phraseOf) {
    for (int k = at - 1; k >= 0; k--) {
      if (phraseOf[k] >= 0) {
        return phraseOf[k];
      }
      if (tokens.get(k).kind == Kind.BREAK) {
        return -1;
      }
    }
    return -1;
  }

  /** "between 2001 and 2005", "between January 21 and 28": a range, not a place. */
  private static boolean numericRange(List<Token> tokens, int at, Relation relation) {
    if (relation != Relation.BETWEEN || at + 1 >= tokens.size()) {
      return false;
    }
    String next = tokens.get(at + 1).text;
    return Character.isDigit(next.charAt(0)) || Lexicon.MONTHS.contains(next);
  }

  /** Phrase right after {@code at}, skipping up to three function words; empty when none. */
  private Set<String> phraseAfter(int at, int[] phraseOf, List<Set<String>> nouns) {
    for (int k = at + 1; k < tokens.size() && k <= at + 4; k++) {
      Token t = tokens.get(k);
      if (phraseOf[k] >= 0) {
        return nouns.get(phraseOf[k]);
      }
      if (t.kind != Kind.STOP && t.kind != Kind.STYLE) {
        return Set.of();
      }
    }
    return Set.of();
  }

}
