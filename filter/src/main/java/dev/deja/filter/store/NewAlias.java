package dev.deja.filter.store;

import dev.deja.filter.request.CacheKey;
import dev.deja.filter.request.ImageRequest;
import dev.deja.filter.request.Partition;
import java.time.Instant;

/**
 * After a semantic hit: the request's own key now points at the image that was served, so the same
 * request is an exact hit next time. Aliases are exact-only: they are never semantic candidates
 * themselves, so meaning cannot drift along a chain of paraphrases.
 *
 * @param key the request's key
 * @param request the parsed request
 * @param partition its partition (the same as the target's)
 * @param normalizedPrompt the prompt as embedded
 * @param targetKey the key of the entry whose image was served
 * @param similarity the similarity at which the hit was taken
 * @param expiresAt the target's expiry: an alias never outlives the image it points at
 */
public record NewAlias(
    CacheKey key,
    ImageRequest request,
    Partition partition,
    String normalizedPrompt,
    String targetKey,
    double similarity,
    Instant expiresAt) {}
