package dev.deja.filter.match;

import dev.deja.filter.match.Lexicon.Relation;
import dev.deja.filter.match.PromptAnalysis.Binding;
import dev.deja.filter.match.PromptAnalysis.Kind;
import dev.deja.filter.match.PromptAnalysis.Triple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Third stage of the analysis: groups the classified tokens into noun phrases and binds
 * attributes, counts, negations and spatial relations to them. Marks the tokens the order check
 * leaves to other checks (bound attributes, arguments of a spatial relation) and gives each phrase
 * head its order key.
 */
final class PhraseBinder {

  private final List<DraftToken> tokens;
  final List<Binding> attributes = new ArrayList<>();
  final List<Binding> numbers = new ArrayList<>();
  final Set<String> numberMarked = new java.util.HashSet<>();
  final List<String> singularArticles = new ArrayList<>();
  final List<Binding> negations = new ArrayList<>();
  final List<Triple> relations = new ArrayList<>();

  private PhraseBinder(List<DraftToken> tokens) {
    this.tokens = tokens;
  }

  /** Binds the modifiers of classified tokens; annotates the tokens as it goes. */
  static PhraseBinder bind(List<DraftToken> tokens) {
    PhraseBinder binder = new PhraseBinder(tokens);
    binder.bind();
    return binder;
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
        DraftToken next = tokens.get(end);
        if (next.kind == Kind.CONTENT && !(hasNoun && TokenClassifier.isVerbForm(next.text))
            && !(hasNoun && Lexicon.COMMON_VERBS.contains(next.text))) {
          hasNoun |= !next.attribute;
          end++;
        } else if (!hasNoun && next.kind == Kind.BREAK && end + 1 < n
            && tokens.get(end - 1).attribute && tokens.get(end + 1).kind == Kind.CONTENT
            && tokens.get(end + 1).attribute) {
          end++; // "black and white shoes", "a long, narrow room": one phrase
        } else {
          break;
        }
      }
      Set<String> words = new java.util.HashSet<>();
      int head = -1;
      for (int k = start; k < end; k++) {
        DraftToken w = tokens.get(k);
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
        DraftToken t = tokens.get(k);
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
    // one binding per noun phrase: its attributes as a set, so "a small blue box on a large red
    // box" differs from "a large blue box on a small red box" although every attribute is
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
      DraftToken t = tokens.get(k);
      if (t.kind == Kind.NUMBER) {
        // a count binds to the noun phrase right after it ("two red cats"); a year, an ordinal or
        // a number that stands alone ("built in 1990, it ...") binds to nothing
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

  /** Phrase right after {@code at}, skipping up to three function words; empty when none. */
  private Set<String> phraseAfter(int at, int[] phraseOf, List<Set<String>> nouns) {
    for (int k = at + 1; k < tokens.size() && k <= at + 4; k++) {
      DraftToken t = tokens.get(k);
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
