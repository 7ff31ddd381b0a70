package dev.deja.server.console;

import dev.deja.db.MatchFeedback;
import dev.deja.filter.match.MatchVerdict;
import dev.deja.filter.match.SemanticMatcher;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prompt pairs operators marked wrong, as a rule of the matcher: a request whose nearest
 * candidate is a pair marked wrong is refused ({@value #REASON}), so deleting the alias is not
 * undone by the next identical request matching the same entry again. Verdicts take effect on
 * this instance at once and on the others at their next {@link #load}.
 */
public final class OperatorVerdicts {

  /** The matcher's reason for a pair an operator marked wrong. */
  public static final String REASON = "operator-marked-wrong";

  private record Pair(String requested, String cached) {}

  private final Set<Pair> wrong = ConcurrentHashMap.newKeySet();

  /** {@code matcher}, refusing the pairs marked wrong before it is asked. */
  public SemanticMatcher guard(SemanticMatcher matcher) {
    return new SemanticMatcher() {
      @Override
      public double threshold() {
        return matcher.threshold();
      }

      @Override
      public double effectiveThreshold(double asked) {
        return matcher.effectiveThreshold(asked);
      }

      @Override
      public MatchVerdict decide(String requestPrompt, String cachedPrompt, double similarity,
          double threshold) {
        return markedWrong(requestPrompt, cachedPrompt) ? MatchVerdict.refuse(REASON)
            : matcher.decide(requestPrompt, cachedPrompt, similarity, threshold);
      }

      @Override
      public Request forRequest(String requestPrompt) {
        Request delegate = matcher.forRequest(requestPrompt);
        return (cachedPrompt, similarity, threshold) ->
            markedWrong(requestPrompt, cachedPrompt) ? MatchVerdict.refuse(REASON)
                : delegate.decide(cachedPrompt, similarity, threshold);
      }
    };
  }

  /** Whether serving {@code cached}'s image for {@code requested} was marked wrong. */
  public boolean markedWrong(String requested, String cached) {
    return !wrong.isEmpty() && wrong.contains(new Pair(requested, cached));
  }

  /** Applies one verdict: the latest verdict on a pair wins. */
  public void apply(MatchFeedback verdict) {
    Pair pair = new Pair(verdict.requestedPrompt(), verdict.matchedPrompt());
    if (verdict.correct()) {
      wrong.remove(pair);
    } else {
      wrong.add(pair);
    }
  }

  /** Applies every recorded verdict, oldest first (the store's order). */
  public void load(List<MatchFeedback> verdicts) {
    verdicts.forEach(this::apply);
  }
}
