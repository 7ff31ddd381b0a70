package dev.deja.filter.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one parser of each kind of setting value, shared by the filter's cache, {@code db.*} and
 * {@code embedding.*} settings and the server's flags, so a duration or a size reads the same
 * wherever it is written.
 *
 * <ul>
 *   <li>Durations: a whole number with a unit, {@code 500ms}, {@code 30s}, {@code 10m}, {@code
 *       24h}, {@code 7d}, or ISO-8601 ({@code PT30S}, {@code P7D}), or {@code 0}. A bare number is
 *       refused: {@code 30} could mean seconds or milliseconds, and both readings exist in the
 *       wild.
 *   <li>Sizes: bytes, or a whole number with a binary unit, {@code 512KB}, {@code 512MB}, {@code
 *       10GB}, {@code 1TB} (also {@code K}, {@code KiB}...): {@code 1KB = 1KiB = 1024} bytes, as
 *       in the JVM's {@code -Xmx}.
 *   <li>Booleans: {@code true} or {@code false}, in any case; nothing else, so a typo is an error
 *       rather than a silent {@code false}.
 * </ul>
 */
public final class SettingTypes {

  /** The accepted duration forms, as quoted in errors and docs. */
  public static final String DURATION_FORM =
      "a duration such as 500ms, 30s, 10m, 24h, 7d or PT30S (a number needs a unit; 0 is allowed)";
  /** The accepted size forms, as quoted in errors and docs. */
  public static final String SIZE_FORM =
      "a size such as 1073741824, 512KB, 512MB or 10GB (binary: 1KB = 1024 bytes)";

  public static final SettingType<String> STRING = (key, value) -> value;
  public static final SettingType<Integer> INTEGER = SettingTypes::integer;
  public static final SettingType<Double> DECIMAL = SettingTypes::decimal;
  public static final SettingType<Boolean> BOOLEAN = SettingTypes::bool;
  public static final SettingType<Duration> DURATION = SettingTypes::duration;
  public static final SettingType<Long> SIZE = SettingTypes::size;
  public static final SettingType<Integer> INT_SIZE = SettingTypes::intSize;
  public static final SettingType<Path> PATH = (key, value) -> Path.of(value);
  public static final SettingType<List<String>> LIST = (key, value) -> list(value);
  public static final SettingType<Set<String>> SET =
      (key, value) -> new LinkedHashSet<>(list(value));
  public static final SettingType<Map<String, String>> MAP = SettingTypes::map;

  private static final Pattern DURATION_WITH_UNIT =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
  private static final Pattern SIZE_WITH_UNIT =
      Pattern.compile("(\\d+)\\s*(b|[kmgt](?:i?b)?)?", Pattern.CASE_INSENSITIVE);

  private SettingTypes() {}

  /** A type whose empty text means "unset" ({@code null}), e.g. an optional TTL. */
  public static <T> SettingType<T> optional(SettingType<T> type) {
    return (key, value) -> value.isEmpty() ? null : type.parse(key, value);
  }

  /**
   * One of fixed words, in any case; {@code words} maps each accepted spelling to its value.
   *
   * @param form how the accepted words are listed in the error
   */
  public static <T> SettingType<T> choice(Map<String, T> words, String form) {
    return (key, value) -> {
      T v = words.get(value.toLowerCase(Locale.ROOT));
      if (v == null) {
        throw new InvalidSettingException(key, value, "must be " + form);
      }
      return v;
    };
  }

  public static int integer(String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new InvalidSettingException(key, value, "must be an integer");
    }
  }

  /** An integer within {@code [min, max]}. */
  public static int integer(String key, String value, int min, int max) {
    int n = integer(key, value);
    if (n < min || n > max) {
      throw new InvalidSettingException(key, value, "must be an integer in [" + min + ", " + max + "]");
    }
    return n;
  }

  public static double decimal(String key, String value) {
    try {
      double d = Double.parseDouble(value);
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidSettingException(key, value, "must be a number");
  }

  public static boolean bool(String key, String value) {
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new InvalidSettingException(key, value, "must be true or false");
  }

  /** See the class comment for the grammar; the result is never negative. */
  public static Duration duration(String key, String value) {
    String v = value.strip();
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION_WITH_UNIT.matcher(v);
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      if (v.startsWith("P") || v.startsWith("p")) {
        Duration d = Duration.parse(v.toUpperCase(Locale.ROOT));
        if (!d.isNegative()) {
          return d;
        }
      }
    } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
      // reported below
    }
    throw new InvalidSettingException(key, value, "must be " + DURATION_FORM);
  }

  /** See the class comment for the grammar; the result is never negative. */
  public static long size(String key, String value) {
    Matcher m = SIZE_WITH_UNIT.matcher(value.strip());
    if (m.matches()) {
      String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
      int shift =
          switch (unit.charAt(0)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
          };
      try {
        return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
      } catch (ArithmeticException | NumberFormatException e) {
        // reported below
      }
    }
    throw new InvalidSettingException(key, value, "must be " + SIZE_FORM);
  }

  /** A {@link #size} that fits an {@code int}, for buffers Java indexes by {@code int}. */
  public static int intSize(String key, String value) {
    long n = size(key, value);
    if (n > Integer.MAX_VALUE) {
      throw new InvalidSettingException(key, value, "must be at most 2147483647 bytes (2GB - 1)");
    }
    return (int) n;
  }

  /** Comma-separated items, stripped, blanks dropped. */
  public static List<String> list(String value) {
    List<String> out = new ArrayList<>();
    for (String item : value.split(",")) {
      if (!item.isBlank()) {
        out.add(item.strip());
      }
    }
    return out;
  }

  /** Comma-separated {@code name=value} pairs. */
  public static Map<String, String> map(String key, String value) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String item : list(value)) {
      int eq = item.indexOf('=');
      if (eq <= 0) {
        throw new InvalidSettingException(key, value, "must be name=value pairs separated by commas");
      }
      out.put(item.substring(0, eq).strip(), item.substring(eq + 1).strip());
    }
    return out;
  }
}
