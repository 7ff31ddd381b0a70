package dev.deja.db;

import java.time.Instant;

/**
 * One stored entry or alias as a listing shows it: what it answers and its lifetime, without the
 * image bytes (a page of listing never loads images).
 *
 * @param cacheKey exact cache key
 * @param prompt prompt as sent when the entry was created
 * @param model the request's model
 * @param bucket partition, e.g. {@code 576x1024_seed401853749}
 * @param source origin response or alias
 * @param aliasOf key of the entry an alias points at, else {@code null}
 * @param createdAt when the entry was written
 * @param expiresAt when it stops being served, or {@code null} for never
 * @param lastHitAt when it was last served, or {@code null} if never (as far as the store knows:
 *     hits are recorded in batches)
 */
public record EntrySummary(
    String cacheKey,
    String prompt,
    String model,
    String bucket,
    EntrySource source,
    String aliasOf,
    Instant createdAt,
    Instant expiresAt,
    Instant lastHitAt) {}
