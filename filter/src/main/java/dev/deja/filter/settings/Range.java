package dev.deja.filter.settings;

import java.time.Duration;

/**
 * The bounds of a numeric or duration setting, declared with the setting in its table so the
 * builder, the string entry points and the docs read one rule. Either end may be open ({@code
 * null}); the lower end may exclude its value ({@code > 0}). A null value (an unset optional
 * setting) is always within.
 *
 * @param min the lower bound, or null
 * @param minExcluded whether {@code min} itself is refused
 * @param max the upper bound (inclusive), or null
 * @param <T> the value, comparable with itself
 */
public record Range<T extends Comparable<? super T>>(T min, boolean minExcluded, T max) {

  /** {@code min <= value <= max}. */
  public static <T extends Comparable<? super T>> Range<T> between(T min, T max) {
    return new Range<>(min, false, max);
  }

  /** {@code value >= min}. */
  public static <T extends Comparable<? super T>> Range<T> atLeast(T min) {
    return new Range<>(min, false, null);
  }

  /** {@code value > min}. */
  public static <T extends Comparable<? super T>> Range<T> above(T min) {
    return new Range<>(min, true, null);
  }

  /** This range with an inclusive upper bound. */
  public Range<T> atMost(T max) {
    return new Range<>(min, minExcluded, max);
  }

  /** Whether {@code value} is within; null always is. */
  public boolean contains(T value) {
    if (value == null) {
      return true;
    }
    if (min != null) {
      int c = value.compareTo(min);
      if (c < 0 || (c == 0 && minExcluded)) {
        return false;
      }
    }
    return max == null || value.compareTo(max) <= 0;
  }

  /**
   * Returns {@code value} when within, else throws naming {@code key} and this range.
   *
   * @throws InvalidSettingException when {@code value} is outside
   */
  public T check(String key, T value) {
    if (!contains(value)) {
      throw new InvalidSettingException(key, value, rule());
    }
    return value;
  }

  /**
   * The rule as errors and docs state it: {@code must be an integer in [0, 65535]}, {@code must be
   * in (0, 1]}, {@code must be >= 1}, {@code must be more than 0}.
   */
  public String rule() {
    if (min != null && max != null) {
      String integer = min instanceof Integer || min instanceof Long ? "an integer " : "";
      return "must be " + integer + "in " + (minExcluded ? "(" : "[") + show(min) + ", "
          + show(max) + "]";
    }
    if (min != null) {
      return "must be " + (minExcluded ? "more than " : ">= ") + show(min);
    }
    return "must be <= " + show(max);
  }

  /** A bound as a user writes it: a zero duration {@code 0}, a whole decimal without {@code .0}. */
  private static String show(Object bound) {
    if (bound instanceof Duration d && d.isZero()) {
      return "0";
    }
    if (bound instanceof Double d && d == Math.rint(d)) {
      return Long.toString(d.longValue()); // (0, 1], not (0.0, 1.0]
    }
    return String.valueOf(bound);
  }
}
