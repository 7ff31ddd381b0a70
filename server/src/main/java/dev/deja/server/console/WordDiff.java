package dev.deja.server.console;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.DeltaType;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Two prompts side by side with their differences marked word by word, ignoring case and
 * punctuation: words only in the requested prompt in {@code <ins>}, words only in the matched one
 * in {@code <del>} (for very long prompts: words the other prompt lacks). Every word is
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

  /**
   * Prompts up to this product of word counts (e.g. 200 x 200) are aligned word by word; longer
   * ones only get the words the other prompt lacks marked, which costs linear time.
   */
  static final long MAX_ALIGNED = 40_000;

  private static final Pattern PUNCTUATION = Pattern.compile("\\p{Punct}");

  private WordDiff() {}

  static Marked of(String requested, String matched) {
    List<String> a = words(requested);
    List<String> b = words(matched);
    List<String> bareA = bare(a);
    List<String> bareB = bare(b);
    boolean[] onlyA = new boolean[a.size()];
    boolean[] onlyB = new boolean[b.size()];
    if ((long) a.size() * b.size() > MAX_ALIGNED) {
      // The aligning diff's cost grows with the product of the lengths and with the differences:
      // two hostile 500-word prompts that differ in every word took seconds per audit page.
      markAbsent(bareA, bareB, onlyA);
      markAbsent(bareB, bareA, onlyB);
    } else {
      for (AbstractDelta<String> d : DiffUtils.diff(bareB, bareA).getDeltas()) {
        if (d.getType() != DeltaType.EQUAL) {
          mark(onlyB, d.getSource().getPosition(), d.getSource().size());
          mark(onlyA, d.getTarget().getPosition(), d.getTarget().size());
        }
      }
    }
    return new Marked(render(a, onlyA, "ins"), render(b, onlyB, "del"));
  }

  /** Marks the words of {@code words} that {@code other} does not contain at all. */
  private static void markAbsent(List<String> words, List<String> other, boolean[] marks) {
    Set<String> present = new HashSet<>(other);
    for (int i = 0; i < words.size(); i++) {
      marks[i] = !present.contains(words.get(i));
    }
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
