package dev.deja.filter.match;

/**
 * Whether a semantic candidate may be served for a request, and why.
 *
 * @param accepted true when the cached image may be served
 * @param reason short machine-readable reason, e.g. {@code ok}, {@code below-threshold},
 *     {@code number-mismatch}; shown in {@code explain} and in a response header
 */
public record MatchVerdict(boolean accepted, String reason) {

  public static MatchVerdict accept() {
    return new MatchVerdict(true, "ok");
  }

  public static MatchVerdict refuse(String reason) {
    return new MatchVerdict(false, reason);
  }
}
