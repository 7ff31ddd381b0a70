package dev.deja.filter.store;

import dev.deja.db.CacheUnavailableException;
import dev.deja.db.Coordination;
import dev.deja.db.Invalidation;
import dev.deja.db.PurgeCriteria;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's in-memory tier coherent with the shared store: a deletion made here is
 * applied here at once and published to every instance; a deletion published elsewhere is applied
 * here when its message arrives; a possibly lost message drops the whole tier. The sender applies
 * its own deletions itself and does not wait for its own message (it gets it too; applying it
 * twice is harmless).
 */
public final class HotTierCoherence implements Coordination.Subscriber {

  private static final Logger LOG = LoggerFactory.getLogger(HotTierCoherence.class);

  private final HotCache hot;
  private final Coordination coordination;
  private final Runnable freshReads;
  private final RateLimitedLog failures = new RateLimitedLog(LOG, Duration.ofMinutes(1));
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong drops = new AtomicLong();
  private final AtomicLong unsent = new AtomicLong();

  /**
   * @param freshReads run before any deletion is applied to the tier: from then on the store
   *     must not read a copy older than the deletion (a lagging replica would hand the deleted
   *     entry back, and the tier would keep it for hotCacheLifetime)
   */
  public HotTierCoherence(HotCache hot, Coordination coordination, Runnable freshReads) {
    this.hot = hot;
    this.coordination = coordination;
    this.freshReads = freshReads;
  }

  /** Subscribes to the other instances' messages. */
  public void start() {
    coordination.subscribe(this);
  }

  /** {@code key} was deleted from the store, with its aliases. */
  public void deleted(String key) {
    freshReads.run();
    hot.invalidateEntry(key);
    publish(Invalidation.ofKeys(List.of(key)));
  }

  /**
   * A purge deleted what {@code criteria} matched. The tier does not know each image's model, so
   * it is dropped whole, here and on every instance: one message, however many entries went.
   */
  public void purged(PurgeCriteria criteria) {
    freshReads.run();
    hot.invalidateAll();
    publish(List.of(new Invalidation.Purge(criteria)));
  }

  /** A maintenance pass deleted {@code keys}: published in as few messages as fit a payload. */
  public void evicted(Collection<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    freshReads.run();
    hot.invalidateEntries(keys);
    publish(Invalidation.ofKeys(keys));
  }

  private void publish(List<Invalidation> messages) {
    for (Invalidation m : messages) {
      try {
        coordination.publish(m);
      } catch (CacheUnavailableException e) {
        // Other instances keep the image at most hotCacheLifetime longer.
        unsent.incrementAndGet();
        failures.warn("publish", "Deja: could not tell the other instances about a deletion;"
            + " their in-memory tiers expire it within hotCacheLifetime", e);
      }
    }
  }

  @Override
  public void onInvalidation(Invalidation message) {
    received.incrementAndGet();
    freshReads.run();
    if (message instanceof Invalidation.Keys k) {
      hot.invalidateEntries(k.keys());
    } else {
      hot.invalidateAll(); // a purge (criteria the tier cannot evaluate) or everything
    }
  }

  @Override
  public void onPossibleLoss(String reason) {
    drops.incrementAndGet();
    // No fresh-read demand here: this follows a reconnect, often of a primary that just came
    // back, and what a lost message could have said is bounded by hotCacheLifetime anyway.
    hot.invalidateAll();
  }

  /** Whether other instances' messages reach this tier right now. */
  public boolean subscribed() {
    return coordination.subscribed();
  }

  /** Messages received from any instance, this one included. */
  public long received() {
    return received.get();
  }

  /** Times the whole tier was dropped because messages may have been lost. */
  public long drops() {
    return drops.get();
  }

  /** Messages that could not be sent. */
  public long unsent() {
    return unsent.get();
  }
}
