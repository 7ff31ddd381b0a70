package dev.deja.db.internal;

import static dev.deja.db.internal.Failures.unavailable;

import dev.deja.db.FlightClaims;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link FlightClaims} in the unlogged {@code flight_claim} table of the primary (V7): one
 * statement per call, on a store-pool connection, committed at once, so no connection is held
 * while the origin works. The primary only: a claim read from a replica could be stale.
 */
public final class PostgresFlightClaims implements FlightClaims {

  /**
   * How long a "stored" marker outlives its landing: waiters that poll a little late, or whose
   * lookup pool reads a replica that has not replayed the entry yet, still learn that it exists.
   */
  static final Duration STORED_GRACE = Duration.ofSeconds(2);
  /**
   * Expired rows are swept this often per instance, at most {@link #SWEEP_BATCH} at a time, on
   * the store thread that lands a stored claim (never on a request): enough for 500 distinct
   * misses a second per instance, far above what an image origin produces.
   */
  static final Duration SWEEP_EVERY = Duration.ofSeconds(10);
  static final int SWEEP_BATCH = 5_000;

  // An insert, or a takeover of an expired claim (stored or not): RETURNING says whether we won.
  private static final String CLAIM = "INSERT INTO flight_claim (cache_key, owner, expires_at)"
      + " VALUES (?, ?, now() + make_interval(secs => ?))"
      + " ON CONFLICT (cache_key) DO UPDATE SET owner = excluded.owner,"
      + " expires_at = excluded.expires_at, stored = false"
      + " WHERE flight_claim.expires_at <= now() RETURNING owner";
  private static final String STATE = "SELECT stored, expires_at > now() FROM flight_claim"
      + " WHERE cache_key = ?";
  private static final String LAND_STORED = "UPDATE flight_claim SET stored = true,"
      + " expires_at = now() + make_interval(secs => ?) WHERE cache_key = ? AND owner = ?";
  private static final String LAND_EMPTY =
      "DELETE FROM flight_claim WHERE cache_key = ? AND owner = ?";
  // A stored marker is never deleted by its holder (late waiters need it): expired rows go here.
  private static final String SWEEP = "DELETE FROM flight_claim WHERE ctid = ANY (ARRAY("
      + "SELECT ctid FROM flight_claim WHERE expires_at < now() LIMIT " + SWEEP_BATCH + "))";

  private final BoundConnections connections;
  private final AtomicLong nextSweepNanos = new AtomicLong(System.nanoTime());

  PostgresFlightClaims(BoundConnections connections) {
    this.connections = connections;
  }

  @Override
  public Optional<Claim> claim(String key, Duration ttl) {
    Objects.requireNonNull(key, "key");
    Claim mine = new Claim(key, UUID.randomUUID().toString());
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement(CLAIM)) {
      ps.setString(1, key);
      ps.setString(2, mine.owner());
      ps.setDouble(3, Lookups.seconds(ttl));
      boolean won;
      try (ResultSet rs = ps.executeQuery()) {
        won = rs.next();
      }
      c.commit();
      return won ? Optional.of(mine) : Optional.empty();
    } catch (SQLException | RuntimeException e) {
      throw unavailable("claim", e);
    }
  }

  @Override
  public State state(String key) {
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement(STATE)) {
      ps.setString(1, key);
      State state;
      try (ResultSet rs = ps.executeQuery()) {
        // An expired row is no claim, whatever it says: its holder is gone or its grace is over.
        state = !rs.next() || !rs.getBoolean(2) ? State.GONE
            : rs.getBoolean(1) ? State.STORED
            : State.PENDING;
      }
      c.commit();
      return state;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("claimState", e);
    }
  }

  private boolean sweepDue() {
    long now = System.nanoTime();
    long due = nextSweepNanos.get();
    return now - due >= 0 && nextSweepNanos.compareAndSet(due, now + SWEEP_EVERY.toNanos());
  }

  @Override
  public void land(Claim claim, boolean stored) {
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement(stored ? LAND_STORED : LAND_EMPTY)) {
      int i = 1;
      if (stored) {
        ps.setDouble(i++, Lookups.seconds(STORED_GRACE));
      }
      ps.setString(i++, claim.key());
      ps.setString(i, claim.owner());
      ps.executeUpdate();
      if (stored && sweepDue()) {
        try (PreparedStatement sweep = c.prepareStatement(SWEEP)) {
          sweep.executeUpdate();
        }
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      throw unavailable("landClaim", e);
    }
  }
}
