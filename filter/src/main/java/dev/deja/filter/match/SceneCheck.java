package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Token;
import java.util.Set;

/**
 * {@value MatchGuard#SCENE_MISMATCH}: time of day, weather or season words must be the same ("a
 * cabin in the snow" / "a cabin in the snow at night").
 */
final class SceneCheck implements GuardCheck {

  @Override
  public String reason() {
    return MatchGuard.SCENE_MISMATCH;
  }

  @Override
  public String summary() {
    return "time of day, weather or season words differ";
  }

  @Override
  public boolean passes(GuardPair p) {
    return sceneWords(p.a()).equals(sceneWords(p.b()));
  }

  private static Set<String> sceneWords(PromptAnalysis p) {
    Set<String> scene = new java.util.HashSet<>();
    for (Token t : p.content) {
      if (Lexicon.SCENE.containsKey(t.stem)) {
        scene.add(t.stem); // already folded to its meaning by the stemmer
      }
    }
    return scene;
  }
}
