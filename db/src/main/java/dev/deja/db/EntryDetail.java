package dev.deja.db;

import java.time.Instant;

/**
 * One entry or alias as the console shows it, with hit counts and image size.
 *
 * @param cacheKey exact cache key
 * @param prompt prompt as sent
 * @param model the request's model
 * @param bucket partition
 * @param source origin response or alias
 * @param aliasOf for an alias, the entry it points at
 * @param aliasSimilarity for an alias, the similarity it was served at
 * @param contentType the image's content type
 * @param sizeBytes the image's size
 * @param exactHits times served as an exact hit
 * @param semanticHits times served for another prompt
 * @param createdAt when written
 * @param lastHitAt when last served, or {@code null} (hits are recorded in batches)
 * @param expiresAt when it stops being served, or {@code null} for never
 */
public record EntryDetail(
    String cacheKey,
    String prompt,
    String model,
    String bucket,
    EntrySource source,
    String aliasOf,
    Double aliasSimilarity,
    String contentType,
    long sizeBytes,
    long exactHits,
    long semanticHits,
    Instant createdAt,
    Instant lastHitAt,
    Instant expiresAt) {}
