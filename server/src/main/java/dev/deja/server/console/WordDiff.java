package dev.deja.server.console;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.DeltaType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Two prompts side by side with their differences marked word by word, ignoring case and
 * punctuation: words only in the requested prompt in {@code <ins>}, words only in the matched one
 * in {@code <del>}. Every word is
 * escaped ({@link Html#escape}).
 */
final class WordDiff {

  /**
   * The two prompts as HTML.
   *
   * @param requested the requested prompt, marked up
   * @param matched the matched prompt, marked up
   */
  record Marked(String requested, String matched) {}

  private WordDiff() {}

  static Marked of(String requested, String matched) {
    List<String> a = words(requested);
    List<String> b = words(matched);
    boolean[] onlyA = new boolean[a.size()];
    boolean[] onlyB = new boolean[b.size()];
    for (AbstractDelta<String> d : DiffUtils.diff(b, a, WordDiff::sameWord).getDeltas()) {
      if (d.getType() != DeltaType.EQUAL) {
        mark(onlyB, d.getSource().getPosition(), d.getSource().size());
        mark(onlyA, d.getTarget().getPosition(), d.getTarget().size());
      }
    }
    return new Marked(render(a, onlyA, "ins"), render(b, onlyB, "del"));
  }

  /** Case and punctuation do not change what is drawn: "A" is "a", "night," is "night". */
  private static boolean sameWord(String x, String y) {
    return bare(x).equals(bare(y));
  }

  private static String bare(String word) {
    return word.toLowerCase(Locale.ROOT).replaceAll("\\p{Punct}", "");
  }

  private static List<String> words(String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.asList(s.strip().split("\\s+"));
  }

  private static void mark(boolean[] marks, int from, int count) {
    for (int i = from; i < from + count; i++) {
      marks[i] = true;
    }
  }

  private static String render(List<String> words, boolean[] changed, String tag) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < words.size(); i++) {
      if (i > 0) {
        out.append(' ');
      }
      String w = Html.escape(words.get(i));
      out.append(changed[i] ? "<" + tag + ">" + w + "</" + tag + ">" : w);
    }
    return out.toString();
  }
}
