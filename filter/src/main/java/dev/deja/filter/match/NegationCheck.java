package dev.deja.filter.match;

/**
 * {@value MatchGuard#NEGATION_MISMATCH}: no/not/without/never... and what they negate must agree
 * ("a cat with a hat" / "a cat without a hat"); "no" and "without" are one negation.
 */
final class NegationCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.NEGATION_MISMATCH;
  }

  @Override
  public String summary() {
    return "one prompt negates what the other does not";
  }

  @Override
  public boolean passes(GuardPair p) {
    return Bindings.sameBindings(p.a().negations, p.b().negations, false);
  }
}
