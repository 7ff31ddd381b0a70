package dev.deja.db;

/** What a store call did. None of these is an error: concurrent stores race by design. */
public enum StoreOutcome {
  /** A new entry was written. */
  STORED,
  /** An existing entry of that key was replaced ({@code replace = true}). */
  REPLACED,
  /** Another entry with that key already existed and was kept. */
  ALREADY_PRESENT,
  /** An alias was requested for a target that does not exist (or has expired). */
  TARGET_MISSING,
  /**
   * An alias was not written because an operator marked this very hit (alias key and target)
   * wrong: a hit that raced the verdict, or an instance that has not loaded it yet, must not
   * bring back the wrong image as an exact entry.
   */
  MARKED_WRONG
}
