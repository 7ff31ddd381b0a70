package dev.deja.db;

/**
 * A cached entry close to a query vector.
 *
 * @param cacheKey key of the cached entry
 * @param prompt the cached prompt, as sent
 * @param similarity cosine similarity, {@code 1 - cosine distance}
 */
public record Neighbor(String cacheKey, String prompt, double similarity) {}
