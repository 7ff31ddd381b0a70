package dev.deja.filter.lookup;

/**
 * Where the lookup spent its time, in nanoseconds.
 *
 * @param lookupNanos the whole lookup (exact + semantic)
 * @param embedNanos computing the prompt's embedding
 * @param searchNanos the nearest-neighbour query
 */
public record Timings(long lookupNanos, long embedNanos, long searchNanos) {

  /** {@code Server-Timing} entries, milliseconds with two decimals. */
  public String serverTiming() {
    StringBuilder out = new StringBuilder(64);
    append(out, "lookup", lookupNanos);
    if (embedNanos > 0) {
      append(out.append(", "), "embed", embedNanos);
    }
    if (searchNanos > 0) {
      append(out.append(", "), "search", searchNanos);
    }
    return out.toString();
  }

  /** Appends {@code name;dur=1.23} (milliseconds, two decimals) without String.format's cost. */
  public static void append(StringBuilder out, String name, long nanos) {
    long hundredths = Math.round(nanos / 10_000.0);
    out.append(name).append(";dur=").append(hundredths / 100).append('.');
    long fraction = hundredths % 100;
    if (fraction < 10) {
      out.append('0');
    }
    out.append(fraction);
  }
}
