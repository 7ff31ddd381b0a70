package dev.deja.filter.match;

/**
 * {@value MatchGuard#CONTENT_MISMATCH}: too few shared content words (Dice overlap of the content
 * stems, after stop words, style boilerplate such as "highly detailed, 8k" and synonyms are
 * folded away, spelling variants one letter apart counting as one word). Prompts the English
 * word lists cannot read need the strictness's higher overlap.
 */
final class ContentCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.CONTENT_MISMATCH;
  }

  @Override
  public String summary() {
    return "too few shared content words";
  }

  @Override
  public boolean passes(GuardPair p) {
    int sizes = p.a().content.size() + p.b().content.size();
    double overlap = sizes == 0 ? 1.0 : 2.0 * p.commonStems() / sizes; // Dice
    GuardStrictness s = p.strictness();
    return !(overlap < (p.readable() ? s.minContentOverlap : s.minUnreadableOverlap));
  }
}
