package dev.deja.filter.lookup;

/**
 * Per-request controls.
 *
 * @param threshold the threshold the request asks for; ignored unless stricter than the
 *     configured one
 */
public record LookupOptions(Double threshold) {

  public static LookupOptions defaults() {
    return new LookupOptions(null);
  }
}
