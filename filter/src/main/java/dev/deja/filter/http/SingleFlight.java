package dev.deja.filter.http;

import dev.deja.filter.store.CachedImage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Collapses concurrent identical misses: the first request (the leader) goes to the origin, the
 * others (followers) wait for its image.
 *
 * <p>The leader completes its flight with the image when the origin's answer was storable, or with
 * null when it was not (error, private, too large, client gone). Followers that get null, or time
 * out, go to the origin themselves: a failed leader never fails its followers, and an answer the
 * origin marked private is never shared.
 */
public final class SingleFlight {

  private final ConcurrentHashMap<String, CompletableFuture<CachedImage>> flights =
      new ConcurrentHashMap<>();
  /** Followers block a container thread while they wait; beyond this many they go on alone. */
  private final Semaphore waiters;

  /** @param maxWaiters followers allowed to wait at once, across all flights */
  public SingleFlight(int maxWaiters) {
    this.waiters = new Semaphore(maxWaiters);
  }

  /** A request's place in a flight. */
  public record Ticket(String key, CompletableFuture<CachedImage> flight, boolean leader) {}

  /** Joins the flight for {@code key}, becoming its leader when there is none. */
  public Ticket join(String key) {
    CompletableFuture<CachedImage> mine = new CompletableFuture<>();
    CompletableFuture<CachedImage> existing = flights.putIfAbsent(key, mine);
    return existing == null ? new Ticket(key, mine, true) : new Ticket(key, existing, false);
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

  /** Ends the leader's flight; {@code image} is null when the answer may not be shared. */
  public void land(Ticket ticket, CachedImage image) {
    if (ticket.leader()) {
      flights.remove(ticket.key(), ticket.flight());
      ticket.flight().complete(image);
    }
  }

  /** Flights in progress, for metrics. */
  public int inFlight() {
    return flights.size();
  }
}
