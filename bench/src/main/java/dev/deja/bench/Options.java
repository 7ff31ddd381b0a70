package dev.deja.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The benchmarks' {@code --key value} options: parsed once, read with a default. */
public final class Options {

  private Options() {}

  /** {@code --key value} pairs in order; a trailing key without a value is ignored. */
  public static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    return opts;
  }

  public static String text(Map<String, String> opts, String key, String def) {
    return opts.getOrDefault(key, def);
  }

  public static int integer(Map<String, String> opts, String key, int def) {
    return Integer.parseInt(text(opts, key, Integer.toString(def)));
  }

  /** A progress line on stderr, so stdout stays the result. */
  public static void log(String format, Object... args) {
    System.err.println(String.format(Locale.ROOT, format, args));
  }
}
