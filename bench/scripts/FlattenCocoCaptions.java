import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flattens a COCO captions file ({@code captions_val2017.json}) into the TSV the bench reads:
 * header {@code image_id, caption_id, caption}, one caption a line, sorted by image id then
 * caption id, each caption stripped of surrounding white space (COCO's end in a space or a
 * newline now and then) and with tabs and line breaks inside it turned into spaces.
 *
 * <p>Run by {@code fetch-eval-data.sh} with the JDK the project needs anyway, as a single source
 * file: {@code java FlattenCocoCaptions.java captions_val2017.json out.tsv}. No dependencies, so
 * its JSON reader is the small one below.
 */
public final class FlattenCocoCaptions {

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java FlattenCocoCaptions.java CAPTIONS_JSON OUT_TSV");
      System.exit(64);
    }
    Object root = new Json(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8)).document();
    if (!(root instanceof Map<?, ?> doc) || !(doc.get("annotations") instanceof List<?> list)) {
      throw new IllegalArgumentException(args[0] + ": no \"annotations\" array");
    }
    List<long[]> keys = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    for (Object o : list) {
      Map<?, ?> a = (Map<?, ?>) o;
      keys.add(new long[] {number(a, "image_id"), number(a, "id"), captions.size()});
      captions.add(((String) a.get("caption")).strip().replaceAll("[\t\r\n]", " "));
    }
    keys.sort(Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> k[1]));
    StringBuilder out = new StringBuilder("image_id\tcaption_id\tcaption\n");
    for (long[] k : keys) {
      out.append(k[0]).append('\t').append(k[1]).append('\t').append(captions.get((int) k[2]))
          .append('\n');
    }
    Files.writeString(Path.of(args[1]), out, StandardCharsets.UTF_8);
    System.err.printf("flattened %d captions of %d images%n", keys.size(),
        keys.stream().mapToLong(k -> k[0]).distinct().count());
  }

  private static long number(Map<?, ?> annotation, String key) {
    Object v = annotation.get(key);
    if (!(v instanceof String s) || !s.matches("-?\\d+")) {
      throw new IllegalArgumentException("annotation without an integer " + key + ": " + annotation);
    }
    return Long.parseLong(s);
  }

  /** Objects as maps, arrays as lists, strings and numbers (kept as their text) as strings. */
  private static final class Json {
    private final String s;
    private int i;

    Json(String s) {
      this.s = s;
    }

    Object document() {
      Object v = value();
      space();
      if (i != s.length()) {
        throw error("trailing characters");
      }
      return v;
    }

    private Object value() {
      space();
      if (i >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(i);
      if (c == '{') {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        space();
        if (s.charAt(i) == '}') {
          i++;
          return m;
        }
        do {
          space();
          String k = string();
          space();
          expect(':');
          m.put(k, value());
          space();
        } while (s.charAt(i++) == ',');
        if (s.charAt(i - 1) != '}') {
          throw error("expected , or }");
        }
        return m;
      }
      if (c == '[') {
        List<Object> l = new ArrayList<>();
        i++;
        space();
        if (s.charAt(i) == ']') {
          i++;
          return l;
        }
        do {
          l.add(value());
          space();
        } while (s.charAt(i++) == ',');
        if (s.charAt(i - 1) != ']') {
          throw error("expected , or ]");
        }
        return l;
      }
      if (c == '"') {
        return string();
      }
      int start = i;
      while (i < s.length() && "{}[],: \t\r\n".indexOf(s.charAt(i)) < 0) {
        i++;
      }
      if (start == i) {
        throw error("unexpected '" + c + "'");
      }
      return s.substring(start, i);
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> b.append(e); // \" \\ \/
        }
      }
    }

    private void expect(char c) {
      if (i >= s.length() || s.charAt(i) != c) {
        throw error("expected '" + c + "'");
      }
      i++;
    }

    private void space() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("JSON: " + what + " at character " + i);
    }
  }
}
