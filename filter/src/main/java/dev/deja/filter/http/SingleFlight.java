package dev.deja.filter.http;

import dev.deja.db.StoredResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collapses concurrent identical misses: the first request (the leader) goes to the origin, the
 * others (followers) wait for its image.
 *
 * <p>The leader completes its flight with the image when the origin's answer was storable, or with
 * null when it was not (error, private, too large, client gone). Followers that get null, or time
 * out, go to the origin themselves: a failed leader never fails its followers, and an answer the
 * origin marked private is never shared.
 *
 * <p>A flight older than {@code maxAge} no longer captures requests: its leader should have landed
 * it long ago (its followers have given up waiting by then), so it is presumed lost, its followers
 * are released, and the next request leads a new flight. This bounds the damage of any exit path
 * that fails to land a flight to one {@code maxAge}, instead of blocking the prompt until restart.
 */
public final class SingleFlight {

  private static final Logger LOG = LoggerFactory.getLogger(SingleFlight.class);

  private record Flight(CompletableFuture<StoredResponse> future, long startedNanos) {}

  private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();
  /** Followers block a container thread while they wait; beyond this many they go on alone. */
  private final Semaphore waiters;
  private final long maxAgeNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong abandoned = new AtomicLong();

  /**
   * @param maxWaiters followers allowed to wait at once, across all flights
   * @param maxAge age beyond which a flight is presumed lost (the single-flight timeout: no
   *     follower waits longer anyway)
   * @param nanoTime the clock flights are aged by ({@code System::nanoTime}; a fake in tests)
   */
  public SingleFlight(int maxWaiters, Duration maxAge, LongSupplier nanoTime) {
    this.waiters = new Semaphore(maxWaiters);
    this.maxAgeNanos = maxAge.toNanos();
    this.nanoTime = nanoTime;
  }

  /** A request's place in a flight. */
  public record Ticket(String key, CompletableFuture<StoredResponse> flight, boolean leader) {}

  /** Joins the flight for {@code key}, becoming its leader when there is none or it is lost. */
  public Ticket join(String key) {
    long now = nanoTime.getAsLong();
    Flight mine = new Flight(new CompletableFuture<>(), now);
    Flight[] lost = new Flight[1];
    Flight current =
        flights.compute(
            key,
            (k, existing) -> {
              if (existing == null) {
                return mine;
              }
              if (now - existing.startedNanos() >= maxAgeNanos) {
                lost[0] = existing;
                return mine;
              }
              return existing;
            });
    if (lost[0] != null) {
      abandoned.incrementAndGet();
      lost[0].future().complete(null); // anyone still waiting on it asks the origin itself
      LOG.warn(
          "Deja: a single-flight for {} was never landed by its leader; replaced after {} ms",
          key,
          (now - lost[0].startedNanos()) / 1_000_000);
    }
    return new Ticket(key, current.future(), current == mine);
  }

  /**
   * Takes a waiting place; false when too many followers already wait, and the caller should go
   * to the origin itself rather than hold one more container thread. Release with {@link
   * #stopWaiting()}.
   */
  public boolean startWaiting() {
    return waiters.tryAcquire();
  }

  public void stopWaiting() {
    waiters.release();
  }

  /**
   * Ends the leader's flight; {@code image} is null when the answer may not be shared. Landing
   * again, or landing a flight that was replaced as lost, changes nothing.
   */
  public void land(Ticket ticket, StoredResponse image) {
    if (ticket.leader()) {
      flights.computeIfPresent(
          ticket.key(), (k, f) -> f.future() == ticket.flight() ? null : f);
      ticket.flight().complete(image);
    }
  }

  /** Flights in progress, for metrics. */
  public int inFlight() {
    return flights.size();
  }

  /** Flights replaced because their leader never landed them: each one is a bug somewhere. */
  public long abandoned() {
    return abandoned.get();
  }
}
