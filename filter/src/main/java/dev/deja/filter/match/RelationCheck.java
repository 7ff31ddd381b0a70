package dev.deja.filter.match;

/**
 * {@value MatchGuard#RELATION_MISMATCH}: left/right/above/below/in front of/behind/next to... with
 * the same two nouns on the same sides; inverse phrasings agree ("a left of b" = "b right of a").
 */
final class RelationCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.RELATION_MISMATCH;
  }

  @Override
  public String summary() {
    return "a spatial relation differs or has its nouns swapped";
  }

  @Override
  public boolean passes(GuardPair p) {
    return Bindings.sameRelations(p.a().relations, p.b().relations);
  }
}
