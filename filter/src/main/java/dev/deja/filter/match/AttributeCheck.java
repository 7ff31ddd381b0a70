package dev.deja.filter.match;

/**
 * {@value MatchGuard#ATTRIBUTE_MISMATCH}: colour, material, shape and size words must be the same
 * and bound to the same nouns ("a red cube and a blue ball" / "a blue cube and a red ball").
 */
final class AttributeCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.ATTRIBUTE_MISMATCH;
  }

  @Override
  public String summary() {
    return "an attribute differs or is bound to another noun";
  }

  @Override
  public boolean passes(GuardPair p) {
    return Bindings.sameBindings(p.a().attributes, p.b().attributes, true);
  }
}
