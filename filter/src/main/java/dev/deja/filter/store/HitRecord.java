package dev.deja.filter.store;

import java.time.Instant;

/**
 * One hit to count.
 *
 * @param key the entry whose image was served (for a semantic hit: the target, not the request)
 * @param semantic whether it was a semantic hit
 * @param at when it happened
 */
public record HitRecord(String key, boolean semantic, Instant at) {}
