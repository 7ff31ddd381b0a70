package dev.deja.filter.match;

import dev.deja.filter.match.Lexicon.Relation;
import dev.deja.filter.text.Normalize;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One prompt, tokenized and annotated for the guard: content words with their stems and chunk,
 * numbers, negations, spatial relations and attributes, each bound to the noun phrase it modifies.
 *
 * <p>Immutable, so one analysis can be shared by every request and candidate that meets the same
 * text ({@link PromptAnalyses}) and across threads: every list and set is unmodifiable and a
 * {@link Token} has only final fields. {@link #of} is a pure function of the guard-normalized text
 * (and the word lists, fixed at class loading), built by a staged pipeline over {@link DraftToken
 * draft tokens} that never leave it: {@link Tokenizer} (words and script), {@link
 * TokenClassifier} (what each word is), {@link PhraseBinder} (which phrase each modifier binds
 * to), then the order and years lists below.
 *
 * <p>A decision analyses at most two prompts and must stay far below 0.2 ms.
 */
final class PromptAnalysis {

  /** Broad script class of a prompt, decided by its letters. */
  enum Script { NONE, LATIN, CJK, OTHER }

  enum Kind { CONTENT, STOP, NUMBER, NEGATION, RELATION, STYLE, BREAK }

  /**
   * One token as the checks see it. Compared by identity: two tokens with the same text are still
   * two positions of the prompt ({@link SpellingVariants} maps tokens, not words).
   */
  static final class Token {
    final String text;
    final Kind kind;
    /** The stem (plural and synonyms folded); "#n" for an ordered number; null for a year. */
    final String stem;
    /** What the order check compares when not the stem: a phrase head with its attributes. */
    final String orderKey;
    final boolean plural;
    /** Coordinated phrase ("a cat and a dog" are two) the token belongs to. */
    final int chunk;
    /** Comma-separated part the token belongs to. */
    final int clause;

    Token(String text, Kind kind, String stem, String orderKey, boolean plural, int chunk,
        int clause) {
      this.text = text;
      this.kind = kind;
      this.stem = stem;
      this.orderKey = orderKey;
      this.plural = plural;
      this.chunk = chunk;
      this.clause = clause;
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
    Binding {
      phrase = Set.copyOf(phrase);
    }

    Binding(String modifier, Set<String> phrase) {
      this(modifier, phrase, "");
    }
  }

  /** A spatial relation between two noun phrases, canonical (inverses folded). */
  record Triple(Set<String> subject, Relation relation, Set<String> object) {
    Triple {
      subject = Set.copyOf(subject);
      object = Set.copyOf(object);
    }
  }

  /** The guard-normalized text ({@link Normalize#forGuard}) the analysis was made from. */
  final String normalized;
  final Script script;
  /** Latin script that the English word lists can read (not another language's prose). */
  final boolean englishLike;
  final List<Token> tokens;
  /** Content tokens in order (no stop words, style, numbers, negations or relations). */
  final List<Token> content;
  /** Content tokens and role markers in order: what the word-order check compares. */
  final List<Token> ordered;
  final List<Binding> attributes;
  final List<Binding> numbers;
  /**
   * Nouns whose number a determiner states ("a", "the", "these"...): only for those must singular
   * and plural agree ("the dog" / "the dogs"), not for bare nouns in prose, where a plural
   * often names a kind rather than a count.
   */
  final Set<String> numberMarked;
  /** Heads introduced by "a"/"an" (an implicit count of one). */
  final List<String> singularArticles;
  final List<Binding> negations;
  final List<Triple> relations;
  /**
   * Years (numbers of four or more digits) with the content words of their coordinated phrase.
   * Years move freely in the order check, but when phrases trade places they must take their
   * years along: "X in 1884 and Y in 1885" is not "Y in 1884 and X in 1885".
   */
  final List<Binding> years;

  private PromptAnalysis(String normalized, Script script, List<DraftToken> drafts,
      PhraseBinder bound, List<DraftToken> ordered, List<Binding> years) {
    this.normalized = normalized;
    this.script = script;
    this.englishLike = englishLike(script, drafts);
    this.tokens = freeze(drafts);
    List<Token> c = new ArrayList<>();
    for (Token t : tokens) {
      if (t.kind == Kind.CONTENT) {
        c.add(t);
      }
    }
    this.content = List.copyOf(c);
    this.ordered = freeze(ordered);
    this.attributes = List.copyOf(bound.attributes);
    this.numbers = List.copyOf(bound.numbers);
    this.numberMarked = Set.copyOf(bound.numberMarked);
    this.singularArticles = List.copyOf(bound.singularArticles);
    this.negations = List.copyOf(bound.negations);
    this.relations = List.copyOf(bound.relations);
    this.years = List.copyOf(years);
  }

  /** Analyses a prompt as sent: {@link Normalize#forGuard}, then {@link #ofNormalized}. */
  static PromptAnalysis of(String prompt) {
    return ofNormalized(Normalize.forGuard(prompt));
  }

  /** Analyses text already normalized by {@link Normalize#forGuard}. */
  static PromptAnalysis ofNormalized(String text) {
    Tokenizer.Scan scan = Tokenizer.scan(text);
    List<DraftToken> tokens = scan.tokens();
    TokenClassifier.classify(tokens);
    PhraseBinder bound = PhraseBinder.bind(tokens);
    List<DraftToken> ordered = ordered(tokens);
    return new PromptAnalysis(text, scan.script(), tokens, bound, ordered, years(tokens));
  }

  private static boolean englishLike(Script script, List<DraftToken> tokens) {
    int en = 0;
    int other = 0;
    boolean accented = false;
    for (DraftToken t : tokens) {
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
    return script == Script.LATIN && en >= other && !(accented && en == 0);
  }

  /**
   * What the word-order check compares, in order: content words not owned by another check (bound
   * attributes, arguments of a spatial relation), role markers, counts and ordinals, and a day
   * written before its month placed after it. Gives the numbers it keeps their stems ("#n").
   */
  private static List<DraftToken> ordered(List<DraftToken> tokens) {
    List<DraftToken> o = new ArrayList<>();
    for (DraftToken t : tokens) {
      if (t.kind == Kind.CONTENT) {
        if (!t.bound && !t.relationArgument) {
          o.add(t);
        }
      } else if (t.roleMarker) {
        o.add(t);
      } else if (t.kind == Kind.NUMBER && t.dayBeforeMonth) {
        continue; // placed after its month
      } else if (t.kind == Kind.NUMBER && TokenClassifier.digits(t.number) < 4) {
        // counts and ordinals take part in the order (two different ordinals are two different
        // things, and an ordinal's suffix does not make it a year); years and other numbers of
        // four or more digits move freely with their phrase
        t.stem = "#" + t.number;
        o.add(t);
      }
      if (t.day != null) {
        // "18 April" reads as "April 18" (whatever the month token is: "may" is a stop word)
        t.day.stem = "#" + t.day.number;
        o.add(t.day);
      }
    }
    return o;
  }

  /** Each year with the content stems of its coordinated phrase. */
  private static List<Binding> years(List<DraftToken> tokens) {
    List<Binding> years = new ArrayList<>();
    for (DraftToken t : tokens) {
      if (t.kind == Kind.NUMBER && TokenClassifier.digits(t.number) >= 4) {
        Set<String> words = new HashSet<>();
        for (DraftToken u : tokens) {
          if (u.chunk == t.chunk && u.kind == Kind.CONTENT) {
            words.add(u.stem);
          }
        }
        years.add(new Binding(t.number, words));
      }
    }
    return years;
  }

  private static List<Token> freeze(List<DraftToken> drafts) {
    List<Token> out = new ArrayList<>(drafts.size());
    for (DraftToken d : drafts) {
      out.add(d.freeze());
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return "PromptAnalysis[" + normalized + "]";
  }
}
