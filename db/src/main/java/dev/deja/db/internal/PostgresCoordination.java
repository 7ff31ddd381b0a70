package dev.deja.db.internal;

import dev.deja.db.CacheUnavailableException;
import dev.deja.db.Coordination;
import dev.deja.db.DatabaseConfig;
import dev.deja.db.DejaDatabase;
import dev.deja.db.Invalidation;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Coordination} over PostgreSQL: {@code pg_notify} on a channel named after the schema, a
 * {@link NotificationListener} on its own connection, and a session advisory lock per maintenance
 * pass. None of these connections come from the pools: a listener must stay on one session, a
 * lock holder must hold one for the whole pass, and neither may starve the request path.
 */
public final class PostgresCoordination implements Coordination {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresCoordination.class);
  /** First key of the maintenance lock ("dejm"); the second is the schema name's hash. */
  static final int MAINTENANCE_LOCK_CLASS = 0x64656a6d;
  /** How the connections show in {@code pg_stat_activity}, after {@code deja/<schema>/}. */
  public static final String LISTEN = "listen";
  /** See {@link #LISTEN}. */
  public static final String NOTIFY = "notify";
  /** See {@link #LISTEN}. */
  public static final String LEADER = "leader";

  /**
   * How often a leader's lock session shows the server it is alive. The server ends a session
   * silent for {@link #SILENT_BEATS} beats ({@code idle_session_timeout}), which releases the lock
   * of a leader that froze (a paused VM or container, a stalled network): without it, the lock
   * lived as long as the frozen session, and no instance ran maintenance meanwhile.
   */
  static final Duration HEARTBEAT = Duration.ofSeconds(10);
  static final int SILENT_BEATS = 3;
  /**
   * For sessions that hold a lock for long: if the client's host vanishes without closing the
   * socket, the server notices within about two minutes, not the OS default of two hours.
   */
  static final String SERVER_KEEPALIVES = "SET tcp_keepalives_idle = 60;"
      + " SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 6";

  private final DatabaseConfig config;
  private final Duration heartbeat;
  private final ScheduledExecutorService heartbeats;
  private final String channel;
  private final Set<Connection> leases = ConcurrentHashMap.newKeySet();
  private Connection publisher;
  private NotificationListener listener;
  private volatile boolean closed;

  public PostgresCoordination(DatabaseConfig config) {
    this(config, HEARTBEAT);
  }

  /** For tests: a faster heartbeat, so a frozen leader's lock goes within a test's patience. */
  PostgresCoordination(DatabaseConfig config, Duration heartbeat) {
    this.config = config;
    this.heartbeat = heartbeat;
    this.channel = channel(config.schema());
    this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "deja-leader-heartbeat");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * The notification channel of a schema: {@code deja/<schema>}, within PostgreSQL's 63 bytes
   * (a long schema name is cut and told apart by its hash).
   */
  static String channel(String schema) {
    String name = "deja/" + schema;
    if (name.getBytes(StandardCharsets.UTF_8).length <= 63) {
      return name;
    }
    return "deja/" + schema.substring(0, Math.min(schema.length(), 40)) + "/"
        + Integer.toHexString(schema.hashCode());
  }

  Connection connect(String role, boolean boundStatements) throws SQLException {
    Properties extra = new Properties();
    if (boundStatements) {
      // A dead server must not hang a publisher or a lock attempt for the kernel's TCP timeout.
      long seconds = Math.max(1, (config.storeTimeout().toMillis() + 999) / 1000 + 1);
      extra.setProperty("socketTimeout", Long.toString(seconds));
    }
    return OwnSessions.open(config, DejaDatabase.applicationName(config.schema(), role), 1, extra);
  }

  @Override
  public synchronized void publish(Invalidation message) {
    String payload = message.encode();
    SQLException failure = null;
    for (int attempt = 0; attempt < 2 && !closed; attempt++) {
      try {
        if (publisher == null) {
          publisher = connect(NOTIFY, true);
        }
        try (PreparedStatement ps = publisher.prepareStatement("SELECT pg_notify(?, ?)")) {
          ps.setString(1, channel);
          ps.setString(2, payload);
          ps.execute();
        }
        return;
      } catch (SQLException e) {
        failure = e; // a connection that died since the last message: one fresh attempt
        closeQuietly(publisher);
        publisher = null;
      }
    }
    throw new CacheUnavailableException("postgresql", "notify", failure);
  }

  @Override
  public synchronized void subscribe(Subscriber subscriber) {
    if (listener != null) {
      throw new IllegalStateException("already subscribed");
    }
    if (closed) {
      return;
    }
    listener = new NotificationListener(this, channel, subscriber);
    listener.start();
  }

  @Override
  public boolean subscribed() {
    NotificationListener l = listener;
    return l != null && l.subscribed();
  }

  @Override
  public Optional<Lease> tryLead() {
    if (closed) {
      return Optional.empty();
    }
    Connection c = null;
    try {
      c = connect(LEADER, true);
      try (PreparedStatement ps =
          c.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
        ps.setInt(1, MAINTENANCE_LOCK_CLASS);
        ps.setString(2, config.schema());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getBoolean(1)) {
            Connection held = c;
            try (Statement s = held.createStatement()) {
              s.execute("SET idle_session_timeout = " + heartbeat.toMillis() * SILENT_BEATS
                  + "; " + SERVER_KEEPALIVES);
            }
            long every = heartbeat.toMillis();
            ScheduledFuture<?> beats = heartbeats.scheduleWithFixedDelay(
                () -> beat(held), every, every, TimeUnit.MILLISECONDS);
            leases.add(held);
            c = null;
            // The session holds the lock: closing it (or the process dying) releases it.
            return Optional.of(() -> {
              beats.cancel(false);
              leases.remove(held);
              closeQuietly(held);
            });
          }
        }
      }
      return Optional.empty();
    } catch (SQLException | RejectedExecutionException e) {
      LOG.debug("Deja: maintenance lock not taken: {}", e.getMessage());
      return Optional.empty();
    } finally {
      closeQuietly(c);
    }
  }

  /** One statement on a lock session, so the server does not take it for a frozen leader's. */
  private static void beat(Connection held) {
    try (Statement s = held.createStatement()) {
      s.execute("SELECT 1");
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Deja: maintenance lock heartbeat failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    heartbeats.shutdownNow();
    NotificationListener l;
    synchronized (this) {
      l = listener;
      closeQuietly(publisher);
      publisher = null;
    }
    if (l != null) {
      l.close();
    }
    leases.forEach(PostgresCoordination::closeQuietly);
    leases.clear();
  }

  static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException | RuntimeException e) {
        LOG.debug("closing a coordination connection failed", e);
      }
    }
  }
}
