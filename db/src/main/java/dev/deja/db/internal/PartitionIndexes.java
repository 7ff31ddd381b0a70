package dev.deja.db.internal;

import dev.deja.db.DatabaseConfig;
import dev.deja.db.PartitionSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partial HNSW indexes for large partitions: an index per (bucket, model, embedding model) whose
 * predicate is that partition, so every candidate the graph yields qualifies (the global index
 * makes each candidate pass a heap-fetched filter, and an iterative scan visits about ef_search
 * divided by the partition's share of the table). See docs/DATABASE.md.
 *
 * <p>A pass ({@link #runPass}) runs on its own connection, outside the pool and outside any
 * transaction, holding a session advisory lock so that one instance per schema works at a time:
 * it recovers what a crash or failed build left (an INVALID index from a failed {@code CREATE
 * INDEX CONCURRENTLY} is dropped and the build retried after {@link Settings#retryAfter}), drops
 * the indexes of partitions that shrank below {@link Settings#dropBelow}, and builds
 * missing ones, largest partition first, one at a time and serially. Every index is recorded in
 * {@code partition_index} (view {@code partition_indexes}).
 *
 * <p>Lookups read an in-memory {@link #hasValidIndex snapshot} of the valid ones, refreshed by
 * every pass (of any instance's registry) and right after a build turns valid: the request path
 * never waits for this class. Until the first pass the snapshot holds no partial index and
 * assumes the global index exists, which is the behaviour before partial indexes.
 */
final class PartitionIndexes implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PartitionIndexes.class);
  /** First key of the pass's advisory lock ("dejx"); the second is the schema name's hash. */
  private static final int PASS_LOCK_CLASS = 0x64656a78;
  /** The global index of V2, used while it exists. */
  static final String GLOBAL_INDEX = "cache_entry_embedding_hnsw";
  /** Joins registry rows {@code r} to their index in the catalog ({@code i}, or nulls). */
  private static final String CATALOG_JOIN = " LEFT JOIN pg_class c ON c.relname = r.index_name"
      + " AND c.relnamespace = (SELECT relnamespace FROM pg_class"
      + " WHERE oid = 'cache_entry'::regclass) LEFT JOIN pg_index i ON i.indexrelid = c.oid";

  /**
   * When to build and drop. {@code buildAbove} is the lookup's own HNSW threshold, so that a
   * partition served by the global index gets its own; dropping waits until it is well below
   * (half), so a partition near the line is not rebuilt and dropped over and over. Size alone
   * decides, not idleness: a large partition left without its index is an exact scan that blows
   * the lookup budget the moment it is searched again (20k rows, 8 callers: 888 of 1,071 lookups
   * timed out), while a cold index only costs disk; expiry and eviction shrink a cold partition,
   * and then the shrink rule drops its index.
   * {@code dropGlobal}: drop the global index (V2) once every partition above
   * {@code buildAbove} has a valid index of its own; from then on it only costs (slower inserts,
   * twice the index size: docs/DATABASE.md).
   */
  record Settings(long buildAbove, long dropBelow, Duration retryAfter,
      Duration buildTimeout, String maintenanceWorkMem, boolean dropGlobal) {

    static final Settings DEFAULTS = new Settings(Lookups.HNSW_PARTITION_THRESHOLD,
        Lookups.HNSW_PARTITION_THRESHOLD / 2, Duration.ofMinutes(10),
        Duration.ZERO, "256MB", true);

    Settings {
      if (dropBelow < 0 || dropBelow > buildAbove) {
        throw new IllegalArgumentException("dropBelow must be within 0..buildAbove (" + buildAbove
            + ") but was " + dropBelow);
      }
      Objects.requireNonNull(retryAfter, "retryAfter");
      Objects.requireNonNull(buildTimeout, "buildTimeout");
      if (!maintenanceWorkMem.matches("[0-9]+(kB|MB|GB)")) {
        throw new IllegalArgumentException("maintenanceWorkMem must be like 256MB but was "
            + maintenanceWorkMem);
      }
    }
  }

  /** What one pass did. */
  record Pass(boolean ran, int built, int failed, int dropped, int recovered,
      boolean droppedGlobal) {
    static final Pass SKIPPED = new Pass(false, 0, 0, 0, 0, false);
  }

  private record Snapshot(Set<Partition> valid, boolean globalIndex) {}

  private record Entry(String indexName, Partition partition, String state, boolean retryDue,
      Boolean catalogValid) {}

  private final DatabaseConfig config;
  private final String schemaIdent;
  private volatile Settings settings = Settings.DEFAULTS;
  private volatile Snapshot snapshot = new Snapshot(Set.of(), true);
  private final ExecutorService worker;
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile Statement building;
  private volatile boolean closed;

  PartitionIndexes(DatabaseConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.schemaIdent = ident(config.schema());
    // One thread, created on the first request only: a cache that never asks builds nothing.
    this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "deja-partition-indexes-" + config.schema());
          t.setDaemon(true);
          return t;
        });
  }

  /** For tests: a low threshold, no retry delay, a build timeout. */
  void settings(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** Whether a valid partial index serves this partition (as of the last refresh). */
  boolean hasValidIndex(Partition partition) {
    return snapshot.valid.contains(partition);
  }

  /** Whether the global HNSW index exists and is valid (as of the last refresh). */
  boolean globalIndex() {
    return snapshot.globalIndex;
  }

  /**
   * Queues one pass on the manager's thread and returns at once; a request while a pass is
   * queued is the same request. Failures are logged, never thrown: the next request retries.
   */
  void requestPass() {
    if (closed || !queued.compareAndSet(false, true)) {
      return;
    }
    worker.execute(() -> {
      queued.set(false);
      try {
        Pass pass = runPass();
        if (pass.built + pass.failed + pass.dropped + pass.recovered > 0) {
          LOG.info("Deja partition indexes ({}): {} built, {} failed, {} dropped, {} recovered",
              config.schema(), pass.built, pass.failed, pass.dropped, pass.recovered);
        }
      } catch (SQLException | RuntimeException e) {
        LOG.warn("Deja partition indexes ({}): pass failed, retrying on the next request: {}",
            config.schema(), e.toString());
      }
    });
  }

  /** One pass, in the caller's thread; {@link Pass#SKIPPED} when another instance holds it. */
  synchronized Pass runPass() throws SQLException {
    try (Connection c = connect()) {
      refresh(c);
      if (!advisoryLock(c, "pg_try_advisory_lock")) {
        return Pass.SKIPPED;
      }
      try {
        return pass(c);
      } finally {
        advisoryLock(c, "pg_advisory_unlock");
      }
    }
  }

  /** Stops the thread and cancels a build in progress (its INVALID index is dropped later). */
  @Override
  public void close() {
    closed = true;
    worker.shutdownNow();
    Statement s = building;
    if (s != null) {
      try {
        s.cancel();
      } catch (SQLException e) {
        LOG.debug("cancelling the index build", e);
      }
    }
  }

  private Pass pass(Connection c) throws SQLException {
    Settings s = settings;
    int recovered = recover(c);
    Map<Partition, Long> sizes = sizes(c, Math.min(s.dropBelow, s.buildAbove));
    int dropped = 0;
    Map<Partition, Entry> registry = new HashMap<>();
    for (Entry e : registry(c)) {
      registry.put(e.partition, e);
      long rows = sizes.getOrDefault(e.partition, 0L);
      boolean shrunk = rows < s.dropBelow;
      if (e.state.equals("valid") && shrunk) {
        setState(c, e.indexName, "dropping", null);
        dropIndex(c, e.indexName);
        delete(c, e.indexName);
        dropped++;
      } else if (e.state.equals("invalid") && rows <= s.buildAbove) {
        delete(c, e.indexName); // nothing to retry any more
      }
    }
    refresh(c);
    List<Map.Entry<Partition, Long>> wanted = new ArrayList<>();
    int waiting = 0; // failed builds not yet due for a retry
    for (Map.Entry<Partition, Long> size : sizes.entrySet()) {
      Entry e = registry.get(size.getKey());
      if (size.getValue() <= s.buildAbove || e != null && e.state.equals("valid")) {
        continue;
      }
      if (e == null || e.retryDue) {
        wanted.add(size);
      } else {
        waiting++;
      }
    }
    wanted.sort(Map.Entry.<Partition, Long>comparingByValue(Comparator.reverseOrder()));
    int built = 0;
    int failed = 0;
    for (Map.Entry<Partition, Long> w : wanted) {
      if (closed) {
        break;
      }
      if (build(c, w.getKey(), w.getValue(), s)) {
        built++;
        refresh(c); // lookups use it from now on
      } else {
        failed++;
      }
    }
    // Every large partition has its own index now: the global one only slows inserts.
    boolean droppedGlobal = false;
    if (s.dropGlobal && failed == 0 && waiting == 0 && !closed && snapshot.globalIndex) {
      LOG.info("Deja partition indexes ({}): no large partition lacks an index of its own;"
          + " dropping the global {}, which would only slow inserts", config.schema(),
          GLOBAL_INDEX);
      dropIndex(c, GLOBAL_INDEX);
      refresh(c);
      droppedGlobal = true;
    }
    return new Pass(true, built, failed, dropped, recovered, droppedGlobal);
  }

  /**
   * Brings the registry in line with the catalog. Holding the pass lock, no build runs anywhere:
   * a row still {@code building} is a build that died, whose index (if any) is INVALID.
   */
  private int recover(Connection c) throws SQLException {
    int recovered = 0;
    for (Entry e : registry(c)) {
      boolean catalogValid = Boolean.TRUE.equals(e.catalogValid);
      switch (e.state) {
        case "building" -> {
          if (catalogValid) {
            markValid(c, e.indexName); // the build finished; the process died before recording it
          } else {
            dropIndex(c, e.indexName);
            setState(c, e.indexName, "invalid", "build interrupted (left "
                + (e.catalogValid == null ? "no index" : "an INVALID index") + ")");
          }
          recovered++;
        }
        case "valid" -> {
          if (!catalogValid) {
            dropIndex(c, e.indexName);
            setState(c, e.indexName, "invalid", "index missing or invalid in the catalog");
            recovered++;
          }
        }
        case "dropping" -> {
          dropIndex(c, e.indexName);
          delete(c, e.indexName);
          recovered++;
        }
        default -> { // invalid: its index should be gone already
          if (e.catalogValid != null) {
            dropIndex(c, e.indexName);
            recovered++;
          }
        }
      }
    }
    // An index of ours with no registry row (e.g. a row deleted by hand): not ours to keep.
    List<String> orphans = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT c.relname"
        + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        + " WHERE i.indrelid = 'cache_entry'::regclass AND c.relname LIKE '"
        + Partition.INDEX_PREFIX.replace("_", "\\_") + "%'"
        + " AND NOT EXISTS (SELECT 1 FROM partition_index r WHERE r.index_name = c.relname)")) {
      while (rs.next()) {
        orphans.add(rs.getString(1));
      }
    }
    for (String name : orphans) {
      dropIndex(c, name);
      recovered++;
    }
    return recovered;
  }

  /** Builds one partition's index; false (recorded as invalid, index dropped) when it failed. */
  private boolean build(Connection c, Partition p, long rows, Settings s) throws SQLException {
    String name = p.indexName();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO partition_index (index_name,"
        + " bucket, model, embedding_model_id, state, rows_at_build) VALUES (?, ?, ?, ?,"
        + " 'building', ?) ON CONFLICT (index_name) DO UPDATE SET state = 'building',"
        + " rows_at_build = excluded.rows_at_build, attempts = partition_index.attempts + 1,"
        + " last_error = NULL, build_started_at = now(), valid_at = NULL,"
        + " state_changed_at = now()")) {
      ps.setString(1, name);
      p.bind(ps, 2);
      ps.setLong(5, rows);
      ps.executeUpdate();
    }
    // Serial: pgvector 0.8.0/0.8.1 parallel HNSW builds can overflow a buffer (docs/DATABASE.md).
    // standard_conforming_strings: the literals of Partition.literalWhere rely on it.
    exec(c, "SET max_parallel_maintenance_workers = 0; SET standard_conforming_strings = on;"
        + " SET maintenance_work_mem = '" + s.maintenanceWorkMem + "';"
        + " SET statement_timeout = " + s.buildTimeout.toMillis());
    String ddl = "CREATE INDEX CONCURRENTLY " + ident(name) + " ON " + schemaIdent
        + ".cache_entry USING hnsw (embedding vector_cosine_ops) " + PartitionSql.HNSW_WITH
        + " WHERE " + p.literalWhere();
    long t0 = System.nanoTime();
    try (Statement st = c.createStatement()) {
      building = st;
      try {
        st.execute(ddl);
      } finally {
        building = null;
      }
    } catch (SQLException e) {
      LOG.warn("Deja partition indexes ({}): building {} for {} ({} rows) failed, dropping the"
          + " INVALID index and retrying after {}: {}", config.schema(), name, p, rows,
          s.retryAfter, e.getMessage());
      exec(c, "SET statement_timeout = 0");
      dropIndex(c, name);
      setState(c, name, "invalid", e.getSQLState() + ": " + e.getMessage());
      return false;
    }
    exec(c, "SET statement_timeout = 0");
    markValid(c, name);
    LOG.info("Deja partition indexes ({}): built {} for {} ({} rows) in {} s", config.schema(),
        name, p, rows, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    return true;
  }

  /** Registry rows with the catalog's word on each index: null when there is no such index. */
  private List<Entry> registry(Connection c) throws SQLException {
    List<Entry> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT r.index_name, r.bucket, r.model,"
        + " r.embedding_model_id, r.state, r.state_changed_at < now() - make_interval(secs => ?),"
        + " i.indisvalid FROM partition_index r" + CATALOG_JOIN)) {
      ps.setDouble(1, settings.retryAfter.toMillis() / 1000.0);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          boolean valid = rs.getBoolean(7);
          out.add(new Entry(rs.getString(1), new Partition(rs.getString(2), rs.getString(3),
              rs.getString(4)), rs.getString(5), rs.getBoolean(6), rs.wasNull() ? null : valid));
        }
      }
    }
    return out;
  }

  /** Reads which partial indexes lookups may use, and whether the global one exists. */
  private void refresh(Connection c) throws SQLException {
    Set<Partition> valid = new HashSet<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT r.bucket,"
        + " r.model, r.embedding_model_id FROM partition_index r" + CATALOG_JOIN
        + " WHERE r.state = 'valid' AND i.indisvalid")) {
      while (rs.next()) {
        valid.add(new Partition(rs.getString(1), rs.getString(2), rs.getString(3)));
      }
    }
    boolean global;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT EXISTS ("
        + "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        + " WHERE i.indrelid = 'cache_entry'::regclass AND c.relname = '" + GLOBAL_INDEX + "'"
        + " AND i.indisvalid)")) {
      rs.next();
      global = rs.getBoolean(1);
    }
    snapshot = new Snapshot(Set.copyOf(valid), global);
  }

  /**
   * Origin rows per partition, for partitions of at least {@code min} rows: one index-only scan
   * of the partition B-tree (V1), whose predicate is {@link PartitionSql#CANDIDATE}.
   */
  private static Map<Partition, Long> sizes(Connection c, long min) throws SQLException {
    Map<Partition, Long> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT bucket, model, embedding_model_id,"
        + " count(*) FROM cache_entry WHERE embedding_model_id IS NOT NULL AND "
        + PartitionSql.CANDIDATE + " GROUP BY 1, 2, 3 HAVING count(*) >= ?")) {
      ps.setLong(1, Math.max(1, min));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(new Partition(rs.getString(1), rs.getString(2), rs.getString(3)),
              rs.getLong(4));
        }
      }
    }
    return out;
  }

  private static void markValid(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE partition_index SET state = 'valid',"
        + " valid_at = now(), state_changed_at = now(), last_error = NULL"
        + " WHERE index_name = ?")) {
      ps.setString(1, name);
      ps.executeUpdate();
    }
  }

  private static void setState(Connection c, String name, String state, String error)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE partition_index SET state = ?,"
        + " last_error = coalesce(?, last_error), state_changed_at = now()"
        + " WHERE index_name = ?")) {
      ps.setString(1, state);
      ps.setString(2, error);
      ps.setString(3, name);
      ps.executeUpdate();
    }
  }

  private static void delete(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM partition_index WHERE index_name = ?")) {
      ps.setString(1, name);
      ps.executeUpdate();
    }
  }

  /** DROP INDEX CONCURRENTLY: lookups and stores go on while it waits for them. */
  private void dropIndex(Connection c, String name) throws SQLException {
    exec(c, "DROP INDEX CONCURRENTLY IF EXISTS " + schemaIdent + "." + ident(name));
  }

  /**
   * A connection of its own, outside the pool (a build takes minutes; the pool's connections
   * are the request path's) and in autocommit: CONCURRENTLY refuses a transaction block.
   */
  private Connection connect() throws SQLException {
    Connection c = OwnSessions.open(config, "deja-indexes/" + config.schema(), 5, null);
    try {
      try (PreparedStatement ps = c.prepareStatement("SELECT set_config('search_path',"
          + " quote_ident(?) || ', ' || coalesce((SELECT quote_ident(n.nspname) FROM pg_extension e"
          + " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'),"
          + " 'public'), false)")) {
        ps.setString(1, config.schema());
        ps.execute();
      }
      // This session holds the pass lock for minutes: if its host vanishes without closing the
      // socket, the server must notice within about two minutes, not the OS default of two hours,
      // or every other instance's pass is skipped meanwhile.
      try (Statement s = c.createStatement()) {
        s.execute(PostgresCoordination.SERVER_KEEPALIVES);
      }
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private boolean advisoryLock(Connection c, String function) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + function + "(?, hashtext(?))")) {
      ps.setInt(1, PASS_LOCK_CLASS);
      ps.setString(2, config.schema());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** A quoted SQL identifier. */
  static String ident(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }
}
