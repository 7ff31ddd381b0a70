package dev.deja.filter.match;

import java.util.List;
import java.util.Objects;

/**
 * The text-only check run after the nearest-neighbour search: may the cached prompt's image stand
 * in for the requested prompt, although their embeddings are close?
 *
 * <p>Deterministic and explainable: the first failing check names itself in the verdict's reason.
 * Each check is a class of its own ({@link GuardCheck}); this class is only their order, {@link
 * #CHECKS}, which is the precedence of reasons: a pair several checks would refuse gets the reason
 * of the first. The checks, in order:
 *
 * <ol>
 *   <li>{@value #SCRIPT_MISMATCH}, {@link ScriptCheck}: Latin script against CJK or another script;
 *   <li>{@value #NUMBER_MISMATCH}, {@link NumberCheck}: counts bound to the same nouns, "a"/"an"
 *       counting as one;
 *   <li>{@value #NEGATION_MISMATCH}, {@link NegationCheck}: no/not/without... and what they negate;
 *   <li>{@value #RELATION_MISMATCH}, {@link RelationCheck}: left/right/above/behind... with the
 *       same two nouns on the same sides;
 *   <li>{@value #ATTRIBUTE_MISMATCH}, {@link AttributeCheck}: colour, material, shape and size
 *       words bound to the same nouns;
 *   <li>{@value #OPPOSITE_MISMATCH}, {@link OppositeCheck}: a word against its opposite (man /
 *       woman, sunrise / sunset, into / out of);
 *   <li>{@value #SCENE_MISMATCH}, {@link SceneCheck}: time of day, weather or season words differ;
 *   <li>{@value #WORD_ORDER}, {@link WordOrderCheck}: content words moved out of their phrase;
 *       this class also holds the years rule (phrases that trade places take their years along),
 *       which reuses the reason;
 *   <li>{@value #CONTENT_MISMATCH}, {@link ContentCheck}: too few shared content words;
 *   <li>{@value #NUMBER_MISMATCH} again, {@link PluralCheck}, under STRICT: singular and plural of
 *       one noun after a determiner ("the dog" / "the dogs"); a rule of its own that reuses the
 *       count check's reason late in the order;
 *   <li>{@value #CONTENT_CHANGE}, {@link ContentChangeCheck}, under STRICT: content words changed
 *       and the embeddings are less close than {@link GuardStrictness} asks for such a change.
 * </ol>
 *
 * <p>The checks after {@link SceneCheck} see spelling variants one letter apart as one word
 * ({@link SpellingVariants}, read through {@link GuardPair}); no check changes an analysis.
 *
 * <p>Prompts the English word lists cannot read (another Latin-script language, CJK, Cyrillic...)
 * get the language-independent checks only (digits, order, overlap of words or characters) with a
 * higher overlap bar, so they are neither all refused nor all accepted.
 */
public final class MatchGuard {

  public static final String OK = "ok";
  public static final String SCRIPT_MISMATCH = "script-mismatch";
  public static final String NUMBER_MISMATCH = "number-mismatch";
  public static final String NEGATION_MISMATCH = "negation-mismatch";
  public static final String RELATION_MISMATCH = "relation-mismatch";
  public static final String ATTRIBUTE_MISMATCH = "attribute-mismatch";
  public static final String OPPOSITE_MISMATCH = "opposite-mismatch";
  public static final String SCENE_MISMATCH = "scene-mismatch";
  public static final String WORD_ORDER = "word-order";
  public static final String CONTENT_MISMATCH = "content-mismatch";
  public static final String CONTENT_CHANGE = "content-change";

  /**
   * The checks in the order they run: the precedence of reasons. The hard checks (script, counts,
   * negation, relations, attributes, opposites, scene) come before the ones the strictness tunes
   * (order, overlap, plurals, changed content).
   */
  static final List<GuardCheck> CHECKS = List.of(
      new ScriptCheck(),
      new NumberCheck(),
      new NegationCheck(),
      new RelationCheck(),
      new AttributeCheck(),
      new OppositeCheck(),
      new SceneCheck(),
      new WordOrderCheck(),
      new ContentCheck(),
      new PluralCheck(),
      new ContentChangeCheck());

  private final GuardStrictness strictness;
  private final PromptAnalyses analyses;

  /** A guard with its own bounded cache of analyses ({@link PromptAnalyses}). */
  public MatchGuard(GuardStrictness strictness) {
    this(strictness, new PromptAnalyses());
  }

  MatchGuard(GuardStrictness strictness, PromptAnalyses analyses) {
    this.strictness = Objects.requireNonNull(strictness, "strictness");
    this.analyses = Objects.requireNonNull(analyses, "analyses");
  }

  public GuardStrictness strictness() {
    return strictness;
  }

  /**
   * Checks the pair as if their embeddings were identical, so the bar for changed content words
   * never applies; {@link MatchVerdict#accept()} or a refusal naming the first failed check.
   */
  public MatchVerdict check(String requestPrompt, String cachedPrompt) {
    return check(requestPrompt, cachedPrompt, 1.0);
  }

  /**
   * Checks the pair, given the cosine similarity of their embeddings: under STRICT, prompts whose
   * content words differ must be closer than the threshold asks ({@link GuardStrictness}).
   */
  public MatchVerdict check(String requestPrompt, String cachedPrompt, double similarity) {
    return forRequest(requestPrompt).check(cachedPrompt, similarity);
  }

  /** Checks of one request prompt against several cached prompts; see {@link Request}. */
  public Request forRequest(String requestPrompt) {
    return new Request(requestPrompt);
  }

  /**
   * One request prompt, analysed once (lazily, at the first check) and checked against any number
   * of cached prompts; each verdict is exactly what {@link MatchGuard#check(String, String,
   * double)} gives. Both the request's and the candidates' analyses come from the guard's
   * {@link PromptAnalyses}, so a stored prompt met again is not analysed again. Not thread-safe:
   * one request, one thread.
   */
  public final class Request {
    private final String prompt;
    private PromptAnalysis analysis;

    private Request(String prompt) {
      this.prompt = prompt;
    }

    public MatchVerdict check(String cachedPrompt, double similarity) {
      if (strictness == GuardStrictness.OFF) {
        return MatchVerdict.accept();
      }
      if (analysis == null) {
        analysis = analyses.of(prompt);
      }
      return MatchGuard.this.check(analysis, analyses.of(cachedPrompt), similarity);
    }
  }

  MatchVerdict check(PromptAnalysis a, PromptAnalysis b, double similarity) {
    if (strictness == GuardStrictness.OFF || a.normalized.equals(b.normalized)) {
      return MatchVerdict.accept();
    }
    GuardPair pair = new GuardPair(a, b, similarity, strictness);
    for (GuardCheck c : CHECKS) {
      if (!c.passes(pair)) {
        return MatchVerdict.refuse(c.reason());
      }
    }
    return MatchVerdict.accept();
  }
}
