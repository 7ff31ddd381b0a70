package dev.deja.filter.match;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the guard's word lists from {@code dev/deja/filter/match/words/*.txt} on the classpath.
 *
 * <p>Format: UTF-8, one entry a line; blank lines and lines whose first non-blank character is
 * {@code #} are comments (a {@code #} later in a line is data: {@code first -> #1}). The first
 * comment line says where the list comes from. Mapping lists write {@code key -> value}.
 *
 * <p>Read once, when {@link Lexicon} is initialised; a missing or malformed list fails that
 * initialisation with a message naming the file (and line).
 */
final class WordLists {

  static final String DIRECTORY = "/dev/deja/filter/match/words/";

  private WordLists() {}

  /** The entries of a list, in file order, trimmed; duplicates kept. */
  static List<String> lines(String file) {
    String path = DIRECTORY + file;
    InputStream in = WordLists.class.getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException("guard word list missing from the classpath: " + path);
    }
    List<String> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        String entry = line.strip();
        if (!entry.isEmpty() && !entry.startsWith("#")) {
          out.add(entry);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read guard word list " + path, e);
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("guard word list is empty: " + path);
    }
    return out;
  }

  /** A list of words or phrases as a set (lists of several languages may repeat a word). */
  static Set<String> set(String file) {
    return Set.copyOf(lines(file));
  }

  /**
   * A {@code key -> value} list in file order; a line without an arrow maps the word to itself.
   * A key listed twice is an error.
   */
  static Map<String, String> map(String file) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : lines(file)) {
      int arrow = line.indexOf("->");
      String key = arrow < 0 ? line : line.substring(0, arrow).strip();
      String value = arrow < 0 ? line : line.substring(arrow + 2).strip();
      if (key.isEmpty() || value.isEmpty()) {
        throw malformed(file, line, "expected 'key -> value'");
      }
      if (m.put(key, value) != null) {
        throw malformed(file, line, "key listed twice");
      }
    }
    return m;
  }

  /** Lines of exactly two fields split at {@code separator} (a space, or " / "), trimmed. */
  static List<String[]> pairs(String file, String separator) {
    List<String[]> out = new ArrayList<>();
    for (String line : lines(file)) {
      int at = line.indexOf(separator);
      String first = at < 0 ? "" : line.substring(0, at).strip();
      String second = at < 0 ? "" : line.substring(at + separator.length()).strip();
      if (first.isEmpty() || second.isEmpty() || second.contains(separator.strip().isEmpty()
          ? " " : separator.strip())) {
        throw malformed(file, line, "expected two entries separated by '" + separator + "'");
      }
      out.add(new String[] {first, second});
    }
    return out;
  }

  static IllegalStateException malformed(String file, String line, String why) {
    return new IllegalStateException(
        "guard word list " + DIRECTORY + file + ": " + why + ": '" + line + "'");
  }
}
