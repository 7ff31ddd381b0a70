package dev.deja.filter.embed;

import java.util.Locale;

/** How token vectors of the model's last hidden state become one prompt vector. */
public enum Pooling {
  /** The vector of the first ({@code [CLS]}) token; what BGE models are trained for. */
  CLS,
  /** The mean of all token vectors, weighted by the attention mask (padding ignored). */
  MEAN;

  /** Lower-case name used in settings, e.g. {@code cls}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code cls} or {@code mean} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static Pooling parse(String value) {
    if (value != null) {
      for (Pooling pooling : values()) {
        if (pooling.key().equalsIgnoreCase(value.strip())) {
          return pooling;
        }
      }
    }
    throw new IllegalArgumentException(
        "pooling: '" + value + "' is not supported; use 'cls' or 'mean'");
  }
}
