package dev.deja.db.internal;

import dev.deja.db.Coordination.Subscriber;
import dev.deja.db.Invalidation;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread, one connection: {@code LISTEN}s on the cache's channel and hands each message to the
 * subscriber. When the connection is lost it reconnects with backoff and subscribes again; since
 * messages sent meanwhile are gone, the subscriber hears "possibly lost" at the loss and again once
 * subscribed (what was sent in between is lost too); also when the first subscription comes late,
 * after failed attempts (the database was down at start).
 */
final class NotificationListener {

  private static final Logger LOG = LoggerFactory.getLogger(NotificationListener.class);
  /** How long one wait for notifications blocks; also how soon a close is noticed. */
  private static final int POLL_MILLIS = 250;
  /** An idle connection is checked this often: a silently dead server sends no error. */
  private static final Duration IDLE_CHECK = Duration.ofSeconds(5);
  static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final PostgresCoordination coordination;
  private final String channel;
  private final Subscriber subscriber;
  private final Thread thread;
  private volatile Connection current;
  private volatile boolean subscribed;
  private volatile boolean closed;

  NotificationListener(PostgresCoordination coordination, String channel, Subscriber subscriber) {
    this.coordination = coordination;
    this.channel = channel;
    this.subscriber = subscriber;
    this.thread = new Thread(this::run, "deja-listen");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  boolean subscribed() {
    return subscribed;
  }

  private void run() {
    Duration backoff = FIRST_BACKOFF;
    String lost = null;
    while (!closed) {
      try (Connection c = coordination.connect(PostgresCoordination.LISTEN, false)) {
        current = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
        }
        subscribed = true;
        // Subscribed after a loss, or after running unsubscribed since the start (the database
        // was down): what the tier took in meanwhile may have been deleted elsewhere.
        if (lost != null) {
          LOG.info("Deja: invalidation listener subscribed after: {}", lost);
          possibleLoss("subscribed after " + lost);
        }
        backoff = FIRST_BACKOFF;
        listen(c);
      } catch (SQLException | RuntimeException e) {
        boolean wasSubscribed = subscribed;
        subscribed = false;
        current = null;
        if (closed) {
          break;
        }
        if (wasSubscribed) {
          lost = String.valueOf(e.getMessage());
          LOG.warn("Deja: invalidation listener lost its connection ({}); the in-memory tier is"
              + " dropped and the listener reconnects", lost);
          possibleLoss("listener connection lost: " + lost);
        } else if (lost == null) {
          // Never subscribed yet: the database is down at start.
          lost = String.valueOf(e.getMessage());
        }
        sleep(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
            ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
    subscribed = false;
  }

  private void listen(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long lastCheck = System.nanoTime();
    while (!closed) {
      PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
      if (notifications != null && notifications.length > 0) {
        for (PGNotification n : notifications) {
          deliver(Invalidation.decode(n.getParameter()));
        }
        lastCheck = System.nanoTime();
      } else if (System.nanoTime() - lastCheck > IDLE_CHECK.toNanos()) {
        if (!c.isValid(2)) {
          throw new SQLException("listener connection no longer valid");
        }
        lastCheck = System.nanoTime();
      }
    }
  }

  private void deliver(Invalidation message) {
    try {
      subscriber.onInvalidation(message);
    } catch (RuntimeException e) {
      LOG.warn("Deja: applying an invalidation failed: {}", e.toString());
    }
  }

  private void possibleLoss(String reason) {
    try {
      subscriber.onPossibleLoss(reason);
    } catch (RuntimeException e) {
      LOG.warn("Deja: dropping the in-memory tier failed: {}", e.toString());
    }
  }

  private void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  void close() {
    closed = true;
    thread.interrupt();
    PostgresCoordination.closeQuietly(current);
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
