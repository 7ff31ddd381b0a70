package dev.deja.filter.lookup;

import dev.deja.filter.request.CacheKey;

/**
 * Which semantic hits are served, for a cautious rollout: none in shadow mode, and otherwise the
 * requests whose key falls in the first {@code percent} of 100 buckets. The bucket comes from the
 * key (already a uniform hash), so a request is always treated the same way and a percentage is a
 * stable slice of traffic, not a coin toss per request.
 */
public final class SemanticRollout {

  private final boolean shadow;
  private final int percent;

  /**
   * @param shadow compute semantic decisions but serve none
   * @param percent share of requests whose semantic hits are served, in [0, 100]
   */
  public SemanticRollout(boolean shadow, int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("rollout percent must be in [0, 100], was " + percent);
    }
    this.shadow = shadow;
    this.percent = percent;
  }

  /** Whether a semantic hit found for this request may be served to it. */
  public boolean serves(CacheKey key) {
    if (shadow) {
      return false;
    }
    if (percent >= 100) {
      return true;
    }
    return bucket(key.value()) < percent;
  }

  /** 0..99 from the first 8 hex digits of the key. */
  static int bucket(String hexKey) {
    long prefix = Long.parseLong(hexKey.substring(0, 8), 16);
    return (int) (prefix % 100);
  }
}
