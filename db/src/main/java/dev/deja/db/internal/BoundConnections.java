package dev.deja.db.internal;

import dev.deja.db.DatabaseConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Pooled connections inside a transaction whose statements are bounded in time: the lookup budget
 * for the request path, the store budget for writes and the management plane. One place, so the
 * JDBC and the JPA paths cannot drift apart in how long they may hold a connection.
 */
final class BoundConnections {

  static final int NETWORK_GRACE_MS = 400;
  private static final Executor DIRECT = Runnable::run;

  private final DataSource dataSource;
  private final int lookupTimeoutMs;
  private final int lookupNetworkTimeoutMs;
  private final int storeTimeoutMs;
  private final int storeNetworkTimeoutMs;

  BoundConnections(DataSource dataSource, DatabaseConfig config) {
    this.dataSource = dataSource;
    this.lookupTimeoutMs = (int) config.lookupTimeout().toMillis();
    // statement_timeout handles slow queries; the socket timeout catches a server that stopped
    // answering at all. 150 ms proved too tight on a loaded 2-core machine (a CPU-starved but
    // healthy backend tripped it), so it allows 400 ms on top: still well under a second.
    this.lookupNetworkTimeoutMs = lookupTimeoutMs + NETWORK_GRACE_MS;
    this.storeTimeoutMs = (int) Math.min(Integer.MAX_VALUE, config.storeTimeout().toMillis());
    this.storeNetworkTimeoutMs = (int) Math.min(Integer.MAX_VALUE, storeTimeoutMs + 1000L);
  }

  int lookupTimeoutMs() {
    return lookupTimeoutMs;
  }

  int storeTimeoutMs() {
    return storeTimeoutMs;
  }

  Connection lookup() throws SQLException {
    return connection(lookupTimeoutMs, lookupNetworkTimeoutMs, true);
  }

  Connection store() throws SQLException {
    return connection(storeTimeoutMs, storeNetworkTimeoutMs, false);
  }

  /**
   * Gives a connection that something else (Hibernate) took from the pool and already opened a
   * transaction on the store budget: the same statement and network timeouts as {@link #store}.
   */
  void bindToStoreBudget(Connection c) throws SQLException {
    // Hikari restores the network timeout when the connection goes back to the pool.
    c.setNetworkTimeout(DIRECT, storeNetworkTimeoutMs);
    boundStatements(c, storeTimeoutMs, false);
  }

  /** A pooled connection inside a transaction whose statements are bounded in time. */
  private Connection connection(int statementTimeoutMs, int networkTimeoutMs, boolean lookup)
      throws SQLException {
    Connection c = dataSource.getConnection();
    try {
      // Hikari restores network timeout and auto-commit when the connection goes back.
      c.setNetworkTimeout(DIRECT, networkTimeoutMs);
      c.setAutoCommit(false);
      boundStatements(c, statementTimeoutMs, lookup);
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** SET LOCAL lasts one transaction: call again after each commit that keeps the connection. */
  static void boundStatements(Connection c, int statementTimeoutMs, boolean lookup)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      // JIT compiles for 100+ ms once a plan's cost passes jit_above_cost (e.g. a large exact
      // scan): never worth it for a query that must answer within lookupTimeout.
      // Lookups also force custom plans: after five executions pgjdbc server-prepares them and
      // PostgreSQL may switch to a generic plan, which cannot know how large the bound partition
      // is; at 1M rows that plan read and sorted a whole 125k-row partition (0.5 s instead of
      // 16 ms, measured by ScaleBenchmark).
      s.execute("SET LOCAL statement_timeout = " + statementTimeoutMs
          + (lookup ? "; SET LOCAL jit = off; SET LOCAL plan_cache_mode = force_custom_plan" : ""));
    }
  }
}
