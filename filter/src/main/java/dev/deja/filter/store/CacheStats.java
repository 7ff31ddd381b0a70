package dev.deja.filter.store;

/**
 * The size of a cache.
 *
 * @param entries origin entries (responses the origin produced)
 * @param aliases aliases recorded after semantic hits
 * @param blobs distinct images; entries with identical bytes share one
 * @param blobBytes bytes of those images, each counted once
 */
public record CacheStats(long entries, long aliases, long blobs, long blobBytes) {}
