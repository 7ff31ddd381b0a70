package dev.deja.server.console;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.DeltaType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Two prompts side by side with their differences marked word by word, ignoring case and
 * punctuation: words only in the requested prompt in {@code <ins>}, words only in the matched one
 * in {@code <del>}. Every word is
 * shown with {@link Html#text}: escaped, its invisible characters made visible.
 */
final class WordDiff {

  /**
   * The two prompts as HTML.
   *
   * @param requested the requested prompt, marked up
   * @param matched the matched prompt, marked up
   */
  record Marked(String requested, String matched) {}

  private static final Pattern PUNCTUATION = Pattern.compile("\\p{Punct}");

  private WordDiff() {}

  static Marked of(String requested, String matched) {
    List<String> a = words(requested);
    List<String> b = words(matched);
    boolean[] onlyA = new boolean[a.size()];
    boolean[] onlyB = new boolean[b.size()];
    // Diffed on the bare words, each computed once: a comparator that strips every pair again
    // made two 500-word prompts that differ in every word take 100 ms (an audit page, seconds).
    for (AbstractDelta<String> d : DiffUtils.diff(bare(b), bare(a)).getDeltas()) {
      if (d.getType() != DeltaType.EQUAL) {
        mark(onlyB, d.getSource().getPosition(), d.getSource().size());
        mark(onlyA, d.getTarget().getPosition(), d.getTarget().size());
      }
    }
    return new Marked(render(a, onlyA, "ins"), render(b, onlyB, "del"));
  }

  /** Case and punctuation do not change what is drawn: "A" is "a", "night," is "night". */
  private static List<String> bare(List<String> words) {
    return words.stream()
        .map(w -> PUNCTUATION.matcher(w.toLowerCase(Locale.ROOT)).replaceAll(""))
        .toList();
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
      String w = Html.text(words.get(i));
      out.append(changed[i] ? "<" + tag + ">" + w + "</" + tag + ">" : w);
    }
    return out.toString();
  }
}
