package dev.deja.filter.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.deja.db.StoredResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * A bounded in-memory tier of recently served images, in front of the store. The store stays the
 * source of truth: this tier only saves a database round trip for hot keys, and it makes a freshly
 * fetched image an exact hit for the very next request, before the background write lands.
 *
 * <p>Other instances delete from the same store: their messages reach this tier through {@code
 * HotTierCoherence}, and {@code lifetime} bounds how long an image stays here when one was lost.
 */
public final class HotCache {

  private static final int ENTRY_OVERHEAD_BYTES = 512;

  private final Cache<String, StoredResponse> cache;

  /**
   * @param maxBytes total body bytes held; 0 disables the tier
   * @param lifetime longest an image is held after it was put
   */
  public HotCache(long maxBytes, Duration lifetime) {
    this(maxBytes, lifetime, Ticker.systemTicker());
  }

  HotCache(long maxBytes, Duration lifetime, Ticker ticker) {
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .expireAfterWrite(lifetime)
            .ticker(ticker)
            .weigher((String key, StoredResponse image) ->
                (int) Math.min(Integer.MAX_VALUE, image.image().length() + ENTRY_OVERHEAD_BYTES))
            .build();
  }

  /** The fresh image under {@code key}, or null. Expired images are dropped, never served. */
  public StoredResponse get(String key, Instant now) {
    StoredResponse image = cache.getIfPresent(key);
    if (image != null && !image.isFresh(now)) {
      cache.invalidate(key);
      return null;
    }
    return image;
  }

  /** Keeps {@code image} if its bytes are in memory; a streamed image is never held here. */
  public void put(String key, StoredResponse image) {
    if (image.image().inMemory() != null) {
      cache.put(key, image);
    }
  }

  /** Forgets {@code key} if it still holds this very image (not one put there since). */
  public void forget(String key, StoredResponse image) {
    cache.asMap().remove(key, image);
  }

  public void invalidate(String key) {
    cache.invalidate(key);
  }

  /** Forgets {@code key} and every alias that serves its image. */
  public void invalidateEntry(String key) {
    cache.invalidate(key);
    cache.asMap().values().removeIf(image -> key.equals(image.cacheKey()) || key.equals(image.aliasOf()));
  }

  /** Forgets each of {@code keys} and every alias of them, in one pass over the tier. */
  public void invalidateEntries(java.util.Collection<String> keys) {
    java.util.Set<String> gone = java.util.Set.copyOf(keys);
    cache.invalidateAll(gone);
    cache.asMap().values().removeIf(
        image -> gone.contains(image.cacheKey())
            || (image.aliasOf() != null && gone.contains(image.aliasOf())));
  }

  public void invalidateAll() {
    cache.invalidateAll();
  }

  public long size() {
    return cache.estimatedSize();
  }
}
