package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Script;

/**
 * {@value MatchGuard#SCRIPT_MISMATCH}: one prompt is Latin-script, the other CJK or another script.
 * A prompt with no letters (only digits or punctuation) has no script and agrees with any.
 */
final class ScriptCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.SCRIPT_MISMATCH;
  }

  @Override
  public String summary() {
    return "the two prompts are written in different scripts";
  }

  @Override
  public boolean passes(GuardPair p) {
    Script a = p.a().script;
    Script b = p.b().script;
    return a == b || a == Script.NONE || b == Script.NONE;
  }
}
