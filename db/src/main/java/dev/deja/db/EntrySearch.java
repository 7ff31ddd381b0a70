package dev.deja.db;

import java.time.Instant;

/**
 * Which entries the console lists: those matching every non-null field.
 *
 * @param key exactly this cache key
 * @param promptContains text the prompt contains, ignoring case (a plain substring)
 * @param bucket the partition
 * @param createdAfter created at or after this instant (entries younger than an age)
 * @param minHits at least this many hits, exact and semantic together
 * @param aliasOf aliases of this entry
 */
public record EntrySearch(String key, String promptContains, String bucket, Instant createdAfter,
    Long minHits, String aliasOf) {

  /** Every entry and alias. */
  public static EntrySearch all() {
    return new EntrySearch(null, null, null, null, null, null);
  }

  /** The entry stored under {@code key}. */
  public static EntrySearch byKey(String key) {
    return new EntrySearch(key, null, null, null, null, null);
  }

  /** The aliases that serve the image of the entry under {@code key}. */
  public static EntrySearch aliasesOf(String key) {
    return new EntrySearch(null, null, null, null, null, key);
  }
}
