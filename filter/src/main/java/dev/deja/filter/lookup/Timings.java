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

  static void append(StringBuilder out, String name, long nanos) {
    out.append(name).append(";dur=").append(String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e6));
  }
}
