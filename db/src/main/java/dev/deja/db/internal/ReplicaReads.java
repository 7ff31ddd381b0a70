package dev.deja.db.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends lookups to a streaming replica while it is provably fresh, and to the primary otherwise.
 *
 * <p>Replica lag cannot produce a wrong image, only a missing one or a deleted one: an entry
 * stored a moment ago may be absent (a miss), and an entry deleted or purged a moment ago may still
 * be there. The second is a takedown served late, so it is bounded: every {@link #CHECK_EVERY}
 * this class reads the primary's WAL position, then the replica's replay position, and keeps a
 * short history of the primary's positions. The replica is fresh as of the latest primary sample
 * it has replayed; every transaction committed before that sample (every delete, every purge) is
 * visible on it. While that moment is more than {@code maxLag} ago, or the replica does not
 * answer, lookups read the primary's own lookup pool. A replica that fails to lend a connection is
 * dropped at once and taken back by the next check that reaches it.
 *
 * <p>A {@code readUrl} may list several hosts ({@code targetServerType=preferSecondary}); each
 * check then measures the host its connection landed on, so list replicas of similar lag. A
 * connection that lands on a primary (not in recovery) is always fresh.
 */
final class ReplicaReads implements AutoCloseable {

  static final Duration CHECK_EVERY = Duration.ofMillis(200);
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaReads.class);
  // The insert position, not the write position: with synchronous_commit = off a commit is
  // visible before its WAL is written, and a replica that replayed up to the write position
  // could still miss a delete for up to three wal_writer_delay.
  private static final String PRIMARY_POSITION =
      "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint";
  // Not in recovery: a multi-host URL fell back to a primary, which is its own freshest replica.
  private static final String REPLICA_POSITION = "SELECT pg_is_in_recovery(),"
      + " pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint";

  private record Sample(long nanos, long position) {}

  private final DataSource replica;
  private final DataSource primary;
  private final long maxLagNanos;
  private final LongSupplier nanoTime;
  private final Deque<Sample> history = new ArrayDeque<>();
  private final ScheduledExecutorService checks;
  /** When the replica was last known to hold every commit of the primary; MIN_VALUE: never. */
  private volatile long freshAsOfNanos = Long.MIN_VALUE;
  /** The replica serves only once fresh as of this moment (a deletion announced then). */
  private volatile long freshNeededNanos = Long.MIN_VALUE;
  private volatile boolean replicaUp;
  private volatile boolean reportedOnReplica;

  /**
   * @param replica the replica's lookup pool (same session settings as the primary's)
   * @param primary the primary's lookup pool, for lookups while the replica is stale or down
   */
  ReplicaReads(DataSource replica, DataSource primary, Duration maxLag) {
    this.replica = replica;
    this.primary = primary;
    this.maxLagNanos = maxLag.toNanos();
    this.nanoTime = System::nanoTime;
    this.checks = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "deja-replica-lag");
      t.setDaemon(true);
      return t;
    });
    check(); // the first lookups already know whether the replica may serve them
    long every = CHECK_EVERY.toMillis();
    checks.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
  }

  /** A lookup connection: the replica's while it is fresh enough, else the primary's. */
  Connection connection() throws SQLException {
    if (replicaServes()) {
      try {
        return replica.getConnection();
      } catch (SQLException e) {
        replicaUp = false; // the next check takes it back once it answers
        LOG.warn("Deja: read replica did not lend a connection, lookups go to the primary: {}",
            e.getMessage());
      }
    }
    return primary.getConnection();
  }

  /** Whether lookups read the replica now. */
  boolean replicaServes() {
    long freshAsOf = freshAsOfNanos;
    return replicaUp && freshAsOf != Long.MIN_VALUE && freshAsOf >= freshNeededNanos
        && nanoTime.getAsLong() - freshAsOf <= maxLagNanos;
  }

  /**
   * A deletion was committed before this moment: lookups read the primary until a check has seen
   * the replica replay a primary position sampled after it (at most {@link #CHECK_EVERY} plus the
   * replay lag), so a replica never hands back what was just deleted.
   */
  void requireFreshAsOfNow() {
    freshNeededNanos = nanoTime.getAsLong();
  }

  /** How far behind the primary the replica was at the last check, or -1 when it did not answer. */
  long lagMillis() {
    long freshAsOf = freshAsOfNanos;
    return !replicaUp || freshAsOf == Long.MIN_VALUE ? -1
        : TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - freshAsOf);
  }

  private void check() {
    try {
      long now = nanoTime.getAsLong();
      Long position = primaryPosition();
      if (position != null) {
        history.addLast(new Sample(now, position));
      }
      // Enough history to date any lag up to maxLag, and not a sample more.
      while (history.size() > 2 && history.peekFirst().nanos() < now - 2 * maxLagNanos) {
        history.removeFirst();
      }
      try (Connection c = replica.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(REPLICA_POSITION)) {
        rs.next();
        boolean inRecovery = rs.getBoolean(1);
        long replayed = rs.getLong(2);
        if (!inRecovery) {
          freshAsOfNanos = nanoTime.getAsLong();
        } else {
          for (Sample sample : history) {
            if (sample.position() <= replayed) {
              freshAsOfNanos = Math.max(freshAsOfNanos, sample.nanos());
            }
          }
        }
        replicaUp = true;
      }
    } catch (SQLException | RuntimeException e) {
      replicaUp = false;
      LOG.debug("Deja: read replica check failed: {}", e.getMessage());
    }
    boolean serves = replicaServes();
    if (serves != reportedOnReplica) {
      reportedOnReplica = serves;
      if (serves) {
        LOG.info("Deja: lookups read the replica (lag {} ms)", lagMillis());
      } else {
        LOG.warn("Deja: lookups read the primary: the replica is {}",
            replicaUp ? "behind by " + lagMillis() + " ms" : "not answering");
      }
    }
  }

  /** The primary's WAL position, or null when the primary does not answer (no sample then). */
  private Long primaryPosition() {
    try (Connection c = primary.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(PRIMARY_POSITION)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      return null;
    }
  }

  @Override
  public void close() {
    checks.shutdownNow();
  }
}
