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
  TARGET_MISSING
}
