package dev.deja.filter.http;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;

/**
 * Entity tags and HTTP dates as RFC 9110 defines them (section 8.8): formatting Deja's validators
 * and comparing them with what clients send in {@code If-None-Match}, {@code If-Modified-Since}
 * and {@code If-Range}.
 */
final class HttpValidators {

  /** IMF-fixdate, the only form a server generates: {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  /** Obsolete RFC 850 form, which recipients must still accept: two-digit years. */
  private static final DateTimeFormatter RFC_850 =
      new DateTimeFormatterBuilder()
          .appendPattern("EEEE, dd-MMM-")
          .appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
          .appendPattern(" HH:mm:ss 'GMT'")
          .toFormatter(Locale.US)
          .withZone(ZoneOffset.UTC);

  /** Obsolete asctime form: {@code Sun Nov  6 08:49:37 1994}. */
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

  private HttpValidators() {}

  /** A strong entity tag for content identified by {@code opaque} (e.g. its hex digest). */
  static String strongTag(String opaque) {
    return '"' + opaque + '"';
  }

  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
      "Sep", "Oct", "Nov", "Dec"};

  /**
   * An instant as IMF-fixdate; HTTP dates have whole seconds. Written by hand: every hit sends
   * one, and {@link DateTimeFormatter} cost about 4 % of an exact hit's CPU (JFR, 12 KB images).
   */
  static String httpDate(Instant instant) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(29)
        .append(DAYS[t.getDayOfWeek().ordinal()]).append(", ");
    two(b, t.getDayOfMonth()).append(' ').append(MONTHS[t.getMonthValue() - 1]).append(' ');
    int year = t.getYear();
    if (year < 1000 || year > 9999) {
      return IMF_FIXDATE.format(instant); // four digits or the formatter's own rendering
    }
    b.append(year).append(' ');
    two(b, t.getHour()).append(':');
    two(b, t.getMinute()).append(':');
    return two(b, t.getSecond()).append(" GMT").toString();
  }

  private static StringBuilder two(StringBuilder b, int value) {
    return b.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
  }

  /** Seconds since the epoch of an HTTP date in any of its three forms, or null if invalid. */
  static Long parseHttpDate(String value) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    for (DateTimeFormatter format : List.of(IMF_FIXDATE, RFC_850, ASCTIME)) {
      try {
        return Instant.from(format.parse(v)).getEpochSecond();
      } catch (DateTimeParseException e) {
        // try the next form
      }
    }
    return null;
  }

  /**
   * Whether an {@code If-None-Match} value matches {@code tag}: {@code *}, or any listed tag
   * equal to it by weak comparison (the {@code W/} prefix is ignored on both sides).
   */
  static boolean noneMatchHits(String ifNoneMatch, String tag) {
    if (ifNoneMatch.strip().equals("*")) {
      return true;
    }
    String opaque = opaque(tag);
    for (String listed : tags(ifNoneMatch)) {
      if (opaque(listed).equals(opaque)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether an {@code If-Match} value matches {@code tag}: {@code *}, or any listed tag equal to
   * it by strong comparison (a weak tag never matches).
   */
  static boolean matchHits(String ifMatch, String tag) {
    if (ifMatch.strip().equals("*")) {
      return true;
    }
    for (String listed : tags(ifMatch)) {
      if (strongMatch(listed, tag)) {
        return true;
      }
    }
    return false;
  }

  /** Strong comparison, as {@code If-Range} requires: neither tag weak, same opaque part. */
  static boolean strongMatch(String a, String b) {
    return !isWeak(a) && !isWeak(b) && a.strip().equals(b.strip());
  }

  static boolean isWeak(String tag) {
    return tag.strip().startsWith("W/");
  }

  /**
   * The entity tags of a comma-separated list. Commas are legal inside a quoted tag, so the list
   * is scanned tag by tag rather than split; an unquoted token (a client's mistake) counts as a
   * tag of its own up to the next comma.
   */
  static List<String> tags(String list) {
    List<String> out = new java.util.ArrayList<>();
    int i = 0;
    int n = list.length();
    while (i < n) {
      char ch = list.charAt(i);
      if (ch == ',' || ch == ' ' || ch == '\t') {
        i++;
        continue;
      }
      int start = i;
      if (list.startsWith("W/", i)) {
        i += 2;
      }
      if (i < n && list.charAt(i) == '"') {
        int close = list.indexOf('"', i + 1);
        i = close < 0 ? n : close + 1;
      } else {
        while (i < n && list.charAt(i) != ',') {
          i++;
        }
      }
      out.add(list.substring(start, i).strip());
    }
    return out;
  }

  /** The tag without its weakness marker: what weak comparison compares. */
  private static String opaque(String tag) {
    String t = tag.strip();
    return t.startsWith("W/") ? t.substring(2) : t;
  }
}
