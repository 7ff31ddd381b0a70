package dev.deja.db.internal;

import dev.deja.db.CacheUnavailableException;

/** How every repository operation reports failure, so the filter can treat them all alike. */
final class Failures {

  static final String COMPONENT = "postgresql";
  /** A store and the orphan sweeper race on a shared blob; both sides retry or give way. */
  static final String SQLSTATE_FK_VIOLATION = "23503";

  private Failures() {}

  /**
   * A database failure becomes a {@link CacheUnavailableException} (the filter goes to origin);
   * a caller's mistake stays an {@link IllegalArgumentException}, because retrying cannot fix it.
   */
  static CacheUnavailableException unavailable(String operation, Exception e) {
    if (e instanceof CacheUnavailableException cue) {
      return cue;
    }
    if (e instanceof IllegalArgumentException iae) {
      throw iae;
    }
    return new CacheUnavailableException(COMPONENT, operation, e);
  }

  static void requirePositive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1 but was " + value);
    }
  }
}
