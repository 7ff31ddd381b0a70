package dev.deja.db;

/** Size of the cache. */
public record CacheStats(long entries, long aliases, long blobs, long blobBytes) {}
