package dev.deja.filter.match;

/**
 * {@value MatchGuard#WORD_ORDER}: content words moved out of their phrase (a swap). Reordering
 * whole coordinated phrases ("a cat and a dog" / "a dog and a cat") is fine, and so is one whole
 * comma-separated clause that opens like an adverbial moving as a block ({@link ClauseMove}). How
 * many stray and one-place moves are tolerated, and from what length a moved run is forgiven, is
 * the strictness's ({@link WordMoves}).
 *
 * <p>Two rules share this reason. Besides the moves, <b>the years rule</b> lives here: when a
 * phrase moved as a block, the years must stay bound to the same words, because phrases that trade
 * places take their years along ("X in 1884 and Y in 1885" / "Y in 1884 and X in 1885"). It only
 * applies after a forgiven block move, so it is part of this check rather than a check of its own.
 * Spelling variants one letter apart count as one word ({@link GuardPair#key}).
 *
 * <p>The parts, one job each: {@link OrderAlignment} aligns the shared words, {@link WordMoves}
 * counts what moved, {@link ClauseMove} recognizes a moved adverbial clause.
 */
final class WordOrderCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.WORD_ORDER;
  }

  @Override
  public String summary() {
    return "content words moved out of their phrase, or moved phrases left their years behind";
  }

  @Override
  public boolean passes(GuardPair p) {
    GuardStrictness strictness = p.strictness();
    OrderAlignment alignment = OrderAlignment.of(p);
    WordMoves moves = WordMoves.count(p, alignment);
    boolean blockMoved = moves.forgivenRuns() > 0;
    if (moves.stray() > strictness.maxStrayMoves || moves.local() > strictness.maxLocalMoves) {
      if (!ClauseMove.moved(p, alignment)) {
        return false;
      }
      blockMoved = true;
    }
    return !blockMoved || Bindings.sameBindings(p.a().years, p.b().years, false);
  }
}
