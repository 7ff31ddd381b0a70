package dev.deja.filter.match;

/**
 * {@value MatchGuard#CONTENT_CHANGE} under STRICT: content words were added, dropped or replaced
 * and the embeddings are less close than {@link GuardStrictness} asks for such a change (a
 * higher bar for short prompts). The other levels set the bar below any similarity, so it never
 * fires there; at similarity 1.0 it never fires.
 */
final class ContentChangeCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.CONTENT_CHANGE;
  }

  @Override
  public String summary() {
    return "content words changed and the embeddings are not close enough for it";
  }

  @Override
  public boolean passes(GuardPair p) {
    int common = p.commonStems();
    boolean contentChanged = common < p.a().content.size() || common < p.b().content.size();
    return !contentChanged || !(p.similarity() < changedContentBar(p));
  }

  /**
   * The similarity a pair with changed content words must reach: higher for short prompts, where
   * one added word is a large part of the picture yet moves the embedding little (an object added
   * to a six-word prompt can leave the similarity near 0.95).
   */
  private static double changedContentBar(GuardPair p) {
    PromptAnalysis a = p.a();
    PromptAnalysis b = p.b();
    GuardStrictness strictness = p.strictness();
    return Math.max(a.content.size(), b.content.size()) <= GuardStrictness.SHORT_PROMPT_WORDS
        ? strictness.shortChangedContentSimilarity : strictness.changedContentSimilarity;
  }
}
