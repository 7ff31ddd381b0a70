package dev.deja.filter.match;

/**
 * One rule of the {@link MatchGuard}: a named, stateless test of a request prompt against a cached
 * prompt that either lets the pair through or refuses it with its {@link #reason()}.
 *
 * <p>A check looks only at the {@link GuardPair} it is given (both analyses, the similarity, the
 * strictness, and what the pair derives from them), never at another check's result, so it can be
 * run and tested on its own. Which reason a pair gets when several checks would refuse it is the
 * order of {@link MatchGuard#CHECKS}, not anything in a check.
 */
interface GuardCheck {

  /** The reason a refusal by this check carries ({@link MatchVerdict#reason()}). */
  String reason();

  /** One line saying what the check refuses. */
  String summary();

  /** A short name for logs and test output: the class name. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** True when the pair gets past this check; the strictness is {@link GuardPair#strictness()}. */
  boolean passes(GuardPair pair);
}
