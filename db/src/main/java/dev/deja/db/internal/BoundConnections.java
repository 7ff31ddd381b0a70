package dev.deja.db.internal;

import dev.deja.db.DatabaseConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Pooled connections whose statements are bounded in time: the lookup budget for the request path,
 * the store budget for writes and the management plane. One place, so the JDBC and the JPA paths
 * cannot drift apart in how long they may hold a connection.
 *
 * <p>Lookups and stores come from two pools. A lookup connection carries the lookup session
 * settings from the moment the pool opens it ({@link #lookupSessionSql}) and stays in auto-commit,
 * so a lookup is its one statement: no {@code SET LOCAL}, no {@code BEGIN}, no {@code COMMIT} on the
 * wire. A store connection runs in a transaction with {@code SET LOCAL statement_timeout}, as
 * before: stores are off the request path and several of them are multi-statement.
 */
final class BoundConnections {

  static final int NETWORK_GRACE_MS = 400;
  /**
   * How many times the lookup budget the exact scan gets when HNSW came back short: it scans a
   * partition above the HNSW threshold, 12 to 90 ms measured (docs/DATABASE.md).
   */
  static final int FALLBACK_BUDGET_FACTOR = 4;
  private static final Executor DIRECT = Runnable::run;

  private final DataSource lookupPool;
  /** Where lookups go when a read replica is configured; null: the primary's lookup pool. */
  private final ReplicaReads replicas;
  private final DataSource storePool;
  private final int lookupTimeoutMs;
  private final int lookupNetworkTimeoutMs;
  private final int storeTimeoutMs;
  private final int storeNetworkTimeoutMs;

  /**
   * @param replicas routes lookups to a read replica while it is fresh, or null for none; writes
   *     and the management plane always use {@code storePool}, the primary
   */
  BoundConnections(DataSource lookupPool, ReplicaReads replicas, DataSource storePool,
      DatabaseConfig config) {
    this.lookupPool = lookupPool;
    this.replicas = replicas;
    this.storePool = storePool;
    this.lookupTimeoutMs = lookupTimeoutMs(config);
    // statement_timeout handles slow queries; the socket timeout catches a server that stopped
    // answering at all. 150 ms proved too tight on a loaded 2-core machine (a CPU-starved but
    // healthy backend tripped it), so it allows 400 ms on top: still well under a second.
    this.lookupNetworkTimeoutMs = lookupTimeoutMs + NETWORK_GRACE_MS;
    this.storeTimeoutMs = (int) Math.min(Integer.MAX_VALUE, config.storeTimeout().toMillis());
    this.storeNetworkTimeoutMs = (int) Math.min(Integer.MAX_VALUE, storeTimeoutMs + 1000L);
  }

  /**
   * The session settings of every lookup connection, run once when the pool opens it (Hikari's
   * {@code connectionInitSql}). They are session-wide, so the lookup pool must never lend its
   * connections to anything else.
   *
   * <ul>
   *   <li>{@code statement_timeout}: the lookup budget.
   *   <li>{@code jit = off}: JIT compiles for 100+ ms once a plan's cost passes jit_above_cost
   *       (e.g. a large exact scan), never worth it for a query that must answer within the budget.
   *   <li>{@code plan_cache_mode = force_custom_plan}: after five executions pgjdbc server-prepares
   *       a statement and PostgreSQL may switch to a generic plan, which cannot know how large the
   *       bound partition is; at 1M rows that plan read and sorted a whole 125k-row partition (0.5 s
   *       instead of 16 ms, measured by ScaleBenchmark).
   *   <li>{@code hnsw.ef_search}, {@code hnsw.iterative_scan}: what the HNSW path of findNearest
   *       needs (docs/DATABASE.md); they only matter to a scan of an HNSW index. The {@code SELECT}
   *       before them loads pgvector's library, which defines them (and the first lookup does not
   *       pay for loading it).
   * </ul>
   */
  static String lookupSessionSql(DatabaseConfig config) {
    return "SET statement_timeout = " + lookupTimeoutMs(config)
        + "; SET jit = off; SET plan_cache_mode = force_custom_plan"
        + "; SELECT '[0]'::vector"
        + "; SET hnsw.ef_search = " + config.hnswEfSearch()
        + "; SET hnsw.iterative_scan = " + Lookups.HNSW_ITERATIVE_SCAN;
  }

  private static int lookupTimeoutMs(DatabaseConfig config) {
    return (int) config.lookupTimeout().toMillis();
  }

  int lookupTimeoutMs() {
    return lookupTimeoutMs;
  }

  int storeTimeoutMs() {
    return storeTimeoutMs;
  }

  /**
   * A lookup connection: auto-commit, the lookup session settings, and a socket timeout for a
   * server that stops answering. Setting the socket timeout is local (no round trip); Hikari
   * restores it when the connection goes back.
   */
  Connection lookup() throws SQLException {
    Connection c = replicas == null ? lookupPool.getConnection() : replicas.connection();
    try {
      c.setNetworkTimeout(DIRECT, lookupNetworkTimeoutMs);
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * Opens a transaction on a lookup connection for a statement that needs more than the lookup
   * budget ({@link #FALLBACK_BUDGET_FACTOR} times it): the caller commits, or closes on failure.
   * pgjdbc sends the {@code BEGIN} with the {@code SET LOCAL}, so this costs one round trip and the
   * commit another; the common path never pays either.
   */
  void extendLookupBudget(Connection c) throws SQLException {
    int statementMs = lookupTimeoutMs * FALLBACK_BUDGET_FACTOR;
    c.setNetworkTimeout(DIRECT, statementMs + NETWORK_GRACE_MS);
    c.setAutoCommit(false); // Hikari restores auto-commit (rolling back) when it comes back
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL statement_timeout = " + statementMs);
    }
  }

  /** A store-pool connection inside a transaction on the store budget. */
  Connection store() throws SQLException {
    Connection c = storePool.getConnection();
    try {
      // Hikari restores network timeout and auto-commit when the connection goes back.
      c.setNetworkTimeout(DIRECT, storeNetworkTimeoutMs);
      c.setAutoCommit(false);
      boundStatements(c, storeTimeoutMs);
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * Gives a connection that something else (Hibernate) took from the store pool and already opened
   * a transaction on the store budget: the same statement and network timeouts as {@link #store}.
   */
  void bindToStoreBudget(Connection c) throws SQLException {
    // Hikari restores the network timeout when the connection goes back to the pool.
    c.setNetworkTimeout(DIRECT, storeNetworkTimeoutMs);
    boundStatements(c, storeTimeoutMs);
  }

  /** SET LOCAL lasts one transaction: call again after each commit that keeps the connection. */
  static void boundStatements(Connection c, int statementTimeoutMs) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL statement_timeout = " + statementTimeoutMs);
    }
  }
}
