package dev.deja.filter.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.deja.db.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/**
 * A bounded in-memory tier of recently served images, in front of the store. The store stays the
 * source of truth: this tier only saves a database round trip for hot keys, and it makes a freshly
 * fetched image an exact hit for the very next request, before the background write lands.
 *
 * <p>Other instances delete from the same store: their messages reach this tier through {@code
 * HotTierCoherence}, and {@code lifetime} bounds how long an image stays here when one was lost.
 *
 * <p>An image read from the store may predate a deletion that reached this tier while the read
 * was on its way, or that a lagging read replica had not replayed yet: kept here, it would go on
 * answering for a whole {@code lifetime} although the store lost it. So the tier remembers its
 * recent deletions, and {@link #putRead} keeps no image read less than {@code readStaleness}
 * before one of them.
 */
public final class HotCache {

  private static final int ENTRY_OVERHEAD_BYTES = 512;
  /**
   * How long a read may take before its image is offered ({@link #putRead}); an older read is
   * not kept, since the deletions it could predate are forgotten by then. Far above any lookup's
   * budget.
   */
  static final Duration MAX_READ = Duration.ofSeconds(10);
  /** Deletions remembered one by one; beyond this many, the whole tier counts as deleted. */
  static final int MAX_REMEMBERED = 100_000;

  private final Cache<String, StoredResponse> cache;
  private final Ticker ticker;
  private final long readStalenessNanos;
  /** When each recently deleted key was deleted here (ticker nanos). */
  private final Cache<String, Long> deletedAt;
  /** When the whole tier was last dropped, or a deletion could no longer be remembered. */
  private volatile long allDeletedAt;

  /**
   * @param maxBytes total body bytes held; 0 disables the tier
   * @param lifetime longest an image is held after it was put
   * @param readStaleness how far behind the store's latest deletion a read may be (a read
   *     replica's lag bound; zero when reads see every committed deletion)
   */
  public HotCache(long maxBytes, Duration lifetime, Duration readStaleness) {
    this(maxBytes, lifetime, readStaleness, Ticker.systemTicker());
  }

  HotCache(long maxBytes, Duration lifetime, Duration readStaleness, Ticker ticker) {
    this.ticker = ticker;
    this.readStalenessNanos = readStaleness.toNanos();
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .expireAfterWrite(lifetime)
            .ticker(ticker)
            .weigher((String key, StoredResponse image) ->
                (int) Math.min(Integer.MAX_VALUE, image.image().length() + ENTRY_OVERHEAD_BYTES))
            .build();
    this.deletedAt =
        Caffeine.newBuilder()
            .maximumSize(MAX_REMEMBERED)
            .expireAfterWrite(readStaleness.plus(MAX_READ))
            .ticker(ticker)
            .executor(Runnable::run)
            .evictionListener((String key, Long at, RemovalCause cause) -> {
              if (cause == RemovalCause.SIZE) {
                allDeletedAt = ticker.read(); // forgotten too early: assume everything went
              }
            })
            .build();
    this.allDeletedAt = ticker.read() - readStalenessNanos - MAX_READ.toNanos() - 1;
  }

  /** The moment to pass to {@link #putRead}, taken before the store is read. */
  public long readStarts() {
    return ticker.read();
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

  /**
   * Keeps {@code image} if its bytes are in memory; a streamed image is never held here. For an
   * image this instance just received from the origin: one read from the store goes through
   * {@link #putRead}.
   */
  public void put(String key, StoredResponse image) {
    if (image.image().inMemory() != null) {
      cache.put(key, image);
    }
  }

  /**
   * As {@link #put}, for an image read from the store by a read that began at {@code readStarted}
   * ({@link #readStarts}): not kept when its key, or the entry it stands for, was deleted here
   * since the read's data may have been current.
   */
  public void putRead(String key, StoredResponse image, long readStarted) {
    if (ticker.read() - readStarted > MAX_READ.toNanos()) {
      return;
    }
    long since = readStarted - readStalenessNanos;
    if (deletedSince(since, key, image)) {
      return;
    }
    put(key, image);
    // A deletion between the check and the put: it may have missed the image, so look again.
    // Deletions are remembered before they clear the tier, so one of the two sees the other.
    if (deletedSince(since, key, image)) {
      forget(key, image);
    }
  }

  private boolean deletedSince(long since, String key, StoredResponse image) {
    return allDeletedAt - since >= 0
        || deletedSince(since, key)
        || deletedSince(since, image.cacheKey())
        || deletedSince(since, image.aliasOf());
  }

  private boolean deletedSince(long since, String key) {
    Long at = key == null ? null : deletedAt.getIfPresent(key);
    return at != null && at - since >= 0;
  }

  /** Forgets {@code key} if it still holds this very image (not one put there since). */
  public void forget(String key, StoredResponse image) {
    cache.asMap().remove(key, image);
  }

  public void invalidate(String key) {
    remember(Set.of(key));
    cache.invalidate(key);
  }

  /** Forgets {@code key} and every alias that serves its image. */
  public void invalidateEntry(String key) {
    invalidateEntries(Set.of(key));
  }

  /** Forgets each of {@code keys} and every alias of them, in one pass over the tier. */
  public void invalidateEntries(Collection<String> keys) {
    Set<String> gone = Set.copyOf(keys);
    remember(gone);
    cache.invalidateAll(gone);
    cache.asMap().values().removeIf(
        image -> gone.contains(image.cacheKey())
            || (image.aliasOf() != null && gone.contains(image.aliasOf())));
  }

  public void invalidateAll() {
    allDeletedAt = ticker.read();
    cache.invalidateAll();
  }

  private void remember(Set<String> keys) {
    long now = ticker.read();
    if (keys.size() > MAX_REMEMBERED) {
      allDeletedAt = now;
      return;
    }
    for (String key : keys) {
      deletedAt.put(key, now);
    }
  }

  public long size() {
    return cache.estimatedSize();
  }
}
