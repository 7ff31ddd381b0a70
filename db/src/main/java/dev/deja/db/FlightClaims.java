package dev.deja.db;

import java.time.Duration;
import java.util.Optional;

/**
 * Claims on cache keys across instances, so that of several instances missing the same key at
 * once only one asks the origin (cross-instance single flight). Kept in the database all instances
 * already share: no new infrastructure.
 *
 * <p>A claim is a promise with an expiry: its holder fetches the image, stores it, then {@link
 * #land lands} the claim. A holder that crashes blocks the key for at most the claim's {@code
 * ttl}; after that anyone may claim it again. Every method may throw {@link
 * CacheUnavailableException}: the caller then goes to the origin without a claim (fail open).
 * No method holds a connection beyond its one statement, so none is held while the origin works.
 */
public interface FlightClaims {

  /** What another instance's claim on a key says right now. */
  enum State {
    /** A live claim: its holder is still fetching. */
    PENDING,
    /** The holder stored its image: read the entry. */
    STORED,
    /** No live claim: the holder failed, gave up, or its claim expired. */
    GONE
  }

  /** A claim this caller holds; {@code owner} tells it apart from a later claim on the same key. */
  record Claim(String key, String owner) {}

  /**
   * Claims {@code key} for {@code ttl}, taking over an expired claim.
   *
   * @return the claim when this caller now holds it, empty when a live claim of someone else does
   */
  Optional<Claim> claim(String key, Duration ttl);

  /** The state of the claim on {@code key}. */
  State state(String key);

  /**
   * Ends a claim: {@code stored} tells waiters the entry is committed and they may read it (the
   * marker then lives for a short grace, so late waiters still find it); otherwise the claim is
   * dropped and waiters go to the origin themselves. Landing a claim that expired and was taken
   * over by someone else changes nothing.
   */
  void land(Claim claim, boolean stored);
}
