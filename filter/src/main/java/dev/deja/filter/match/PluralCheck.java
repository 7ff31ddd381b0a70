package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Kind;
import dev.deja.filter.match.PromptAnalysis.Token;
import java.util.List;

/**
 * {@value MatchGuard#NUMBER_MISMATCH} under STRICT ({@code pluralsMustAgree}): singular and plural
 * of one noun after a determiner ("the dog" / "the dogs").
 *
 * <p>It shares its reason with {@link NumberCheck} but is a rule of its own and sits late in the
 * order, after {@link ContentCheck}: a pair that fails both the overlap and this rule is a
 * content mismatch. Spelling variants are folded ({@link GuardPair#stem}).
 */
final class PluralCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.NUMBER_MISMATCH;
  }

  @Override
  public String summary() {
    return "under STRICT, singular against plural of one noun after a determiner";
  }

  @Override
  public boolean passes(GuardPair p) {
    return !p.strictness().pluralsMustAgree || pluralsAgree(p);
  }

  static boolean pluralsAgree(GuardPair p) {
    PromptAnalysis pa = p.a();
    PromptAnalysis pb = p.b();
    List<Token> a = pa.content;
    List<Token> b = pb.content;
    for (Token t : a) {
      if (t.kind != Kind.CONTENT) {
        continue;
      }
      boolean sameStem = false;
      boolean samePlural = false;
      for (Token u : b) {
        if (p.stem(t).equals(p.stem(u))) {
          sameStem = true;
          if (t.plural == u.plural) {
            samePlural = true;
            break;
          }
        }
      }
      if (sameStem && !samePlural
          && (pa.numberMarked.contains(p.stem(t)) || pb.numberMarked.contains(p.stem(t)))) {
        return false;
      }
    }
    return true;
  }
}
