package dev.deja.filter.match;

import dev.deja.filter.match.Lexicon.Relation;
import dev.deja.filter.match.PromptAnalysis.Kind;
import dev.deja.filter.match.PromptAnalysis.Token;

/**
 * A token while its prompt is being analysed: the stages of the pipeline ({@link Tokenizer},
 * {@link TokenClassifier}, {@link PhraseBinder}, then {@link PromptAnalysis#of}) annotate it in
 * turn, and {@link #freeze()} turns it into the immutable {@link Token} the checks see. A draft
 * never leaves the analysis of its prompt.
 */
final class DraftToken {
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
  DraftToken day;
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
  private Token frozen;

  DraftToken(String text, Kind kind) {
    this.text = text;
    this.kind = kind;
  }

  /** The immutable token, made once: every list of the analysis shares the same instance. */
  Token freeze() {
    if (frozen == null) {
      frozen = new Token(text, kind, stem, orderKey, plural, chunk, clause);
    }
    return frozen;
  }

  @Override
  public String toString() {
    return text + "/" + kind + (stem != null ? ":" + stem : "");
  }
}
