package dev.deja.filter.http;

import dev.deja.db.CacheUnavailableException;
import dev.deja.db.FlightClaims;
import dev.deja.db.StoredResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single flight across instances: of several instances missing one cache key at once, the one
 * that claims the key asks the origin; the others poll the claim and serve the entry it stores.
 * {@link SingleFlight} first collapses identical misses inside one instance, so only its leader
 * comes here: one claim and one poller per key and instance.
 *
 * <p>A waiter waits at most {@code wait}, then asks the origin itself; so does every waiter when
 * the holder lands without storing (an error, a private answer) or its claim expires: they race
 * for a new claim, and one of them retries for all. When the claims cannot be reached (database
 * down, breaker open), every instance fetches on its own: the local single flight still holds.
 */
public final class ClusterFlight {

  /** Pause between two polls of a claim: far below an image's generation time. */
  public static final Duration POLL = Duration.ofMillis(50);

  private static final Logger LOG = LoggerFactory.getLogger(ClusterFlight.class);

  /** What the caller does next. */
  public sealed interface Turn {}

  /**
   * Ask the origin; land {@code claim} (null: no claim is held) once the answer is stored or
   * known to be unstorable.
   */
  public record Fetch(FlightClaims.Claim claim) implements Turn {}

  /** Another instance stored this image while we waited: serve it. */
  public record Served(StoredResponse image) implements Turn {}

  private static final Fetch ALONE = new Fetch(null);

  private final FlightClaims claims;
  private final SingleFlight waiters;
  private final Duration wait;
  private final Function<String, Optional<StoredResponse>> read;
  private final BooleanSupplier reachable;
  private final LongSupplier nanoTime;
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();

  /**
   * @param claims the shared claims, or null for none (every instance on its own)
   * @param waiters whose waiting places a waiter takes: local and cluster waits share one cap on
   *     the container threads they may hold
   * @param wait the longest a waiter waits for another instance, and the lifetime of a claim: a
   *     crashed holder blocks its key no longer than this
   * @param read the store's exact lookup of a key
   * @param reachable false while the store is known to be down (the circuit breaker is open)
   */
  public ClusterFlight(FlightClaims claims, SingleFlight waiters, Duration wait,
      Function<String, Optional<StoredResponse>> read, BooleanSupplier reachable,
      LongSupplier nanoTime) {
    this.claims = claims;
    this.waiters = waiters;
    this.wait = wait;
    this.read = read;
    this.reachable = reachable;
    this.nanoTime = nanoTime;
  }

  /**
   * Claims {@code key}, or waits for the instance that holds it.
   *
   * @param usable whether a stored image may answer this request (fresh, within its threshold)
   */
  public Turn take(String key, Predicate<StoredResponse> usable) {
    if (claims == null || !reachable.getAsBoolean()) {
      return ALONE;
    }
    long deadline = nanoTime.getAsLong() + wait.toNanos();
    try {
      while (true) {
        Optional<FlightClaims.Claim> mine = claims.claim(key, wait);
        if (mine.isPresent()) {
          return new Fetch(mine.get());
        }
        if (!waiters.startWaiting()) {
          return ALONE; // enough threads wait already: ask the origin rather than hold one more
        }
        Turn waited;
        try {
          waited = await(key, usable, deadline);
        } finally {
          waiters.stopWaiting();
        }
        if (waited != null) {
          return waited;
        }
        // The holder failed, or its claim expired: race the other waiters for a new claim.
      }
    } catch (CacheUnavailableException e) {
      LOG.debug("Deja: flight claims unavailable, asking the origin alone: {}", e.getMessage());
      return ALONE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ALONE;
    }
  }

  /**
   * Polls another instance's claim until it lands: the image it stored, {@link #ALONE} when the
   * wait ended, or null when the claim is gone without an image.
   */
  private Turn await(String key, Predicate<StoredResponse> usable, long deadline)
      throws InterruptedException {
    FlightClaims.State state;
    do {
      if (nanoTime.getAsLong() >= deadline) {
        timedOut.incrementAndGet();
        return ALONE;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(POLL.toNanos(), deadline - nanoTime.getAsLong()));
      state = claims.state(key);
      if (state == FlightClaims.State.STORED) {
        // A replica may not have replayed the entry yet: then the next poll reads again.
        Optional<StoredResponse> image = read.apply(key).filter(usable);
        if (image.isPresent()) {
          served.incrementAndGet();
          return new Served(image.get());
        }
      }
    } while (state != FlightClaims.State.GONE);
    return null;
  }

  /**
   * Lands a claim taken by {@link #take}; never throws (an unreachable database leaves the claim
   * to expire).
   *
   * @param stored whether the image is committed in the store
   */
  public void land(FlightClaims.Claim claim, boolean stored) {
    if (claim == null) {
      return;
    }
    try {
      claims.land(claim, stored);
    } catch (RuntimeException e) {
      LOG.debug("Deja: could not land the claim on {}; it expires by itself: {}",
          claim.key(), e.getMessage());
    }
  }

  /** Requests answered with an image another instance stored. */
  public long served() {
    return served.get();
  }

  /** Waits that ended before the holder landed; the waiter then asked the origin itself. */
  public long timedOut() {
    return timedOut.get();
  }
}
