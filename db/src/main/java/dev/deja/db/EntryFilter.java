package dev.deja.db;

import java.time.Instant;

/**
 * Which entries a listing returns: those matching every non-null field. Unlike {@link
 * PurgeCriteria}, an empty filter is valid (it lists everything): a listing only reads, so there
 * is no accident to guard against.
 *
 * @param model the request's model
 * @param bucket the partition bucket, e.g. {@code 576x1024_seed401853749}
 * @param promptContains text the prompt contains, ignoring case (a plain substring, not a pattern)
 * @param createdBefore entries created strictly before this instant
 */
public record EntryFilter(String model, String bucket, String promptContains,
    Instant createdBefore) {

  /** Every entry and alias. */
  public static EntryFilter all() {
    return new EntryFilter(null, null, null, null);
  }
}
