package dev.deja.db.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pgvector.PGvector;
import dev.deja.db.DejaDatabase;
import dev.deja.db.Neighbor;
import dev.deja.db.PartitionSql;
import dev.deja.db.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Partial HNSW indexes per large partition, against real PostgreSQL: built above the threshold
 * and used by lookups, never built for a small partition, lookups during {@code CREATE INDEX
 * CONCURRENTLY}, a failed or crashed build (INVALID index) recovered, drops when a partition
 * shrinks or goes cold. Dimension 32 and a threshold of 1,000 rows keep builds under a second.
 *
 * <p>Each test loads its own partitions (a pass builds every partition over the threshold, so a
 * partition created up front would be built by whichever test ran first).
 */
class PartitionIndexesTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(PartitionIndexesTest.class);
  static final int DIM = 32;
  static final String MODEL = "flux";
  static final String EMBEDDER = "e5";
  static final PartitionIndexes.Settings SETTINGS = new PartitionIndexes.Settings(1_000, 500,
      Duration.ZERO, Duration.ZERO, "64MB", true);
  static DejaDatabase db;
  static PostgresCacheRepository repo;
  static PartitionIndexes indexes;

  @BeforeAll
  static void open() throws Exception {
    db = DejaDatabase.open(SCHEMA.builder().embeddingDimension(DIM)
        .lookupTimeout(Duration.ofSeconds(2)).build());
    repo = (PostgresCacheRepository) db.repository();
    indexes = repo.partitionIndexes();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO image_blob (sha256, bytes, byte_size, content_type)"
          + " VALUES (repeat('a', 64), '\\x00', 1, 'image/png')");
    }
  }

  @AfterAll
  static void close() {
    db.close();
    SCHEMA.drop();
  }

  /** Each test starts from an empty table without partial indexes. */
  @BeforeEach
  void empty() throws Exception {
    indexes.settings(SETTINGS);
    execute("DELETE FROM cache_entry");
    indexes.runPass();
    assertEquals(0, queryLong("SELECT count(*) FROM partition_index"));
  }

  @Test
  void pass_largePartition_buildsPartialIndexThatLookupsUse_smallPartitionGetsNone()
      throws Exception {
    // Quotes and a backslash: the index predicate is DDL with literal values.
    Partition large = new Partition("large 'q' \\ \"x\"", MODEL, EMBEDDER);
    Partition small = new Partition("small", MODEL, EMBEDDER);
    load(large, 3_000);
    load(small, 300);

    PartitionIndexes.Pass pass = indexes.runPass();

    assertTrue(pass.built() >= 1, pass.toString());
    assertEquals("valid", state(large));
    assertEquals(Boolean.TRUE, catalogValid(large.indexName()));
    assertTrue(indexes.hasValidIndex(large));
    assertNull(state(small));
    assertFalse(indexes.hasValidIndex(small));
    assertTrue(indexDefinition(large.indexName()).contains("hnsw"));
    assertEquals(3_000, queryLong("SELECT rows_at_build FROM partition_indexes"
        + " WHERE index_name = '" + large.indexName() + "'"));

    // The planner picks the partition's own index for the lookup's query shape, over the global.
    String plan = explainHnswQuery(large, probe(large, new Random(1)));
    assertTrue(plan.contains(large.indexName()), plan);
    // And the repository's lookup reads it (a global index of 3,000 candidates would not be used:
    // below the global threshold, the path before partial indexes was the exact scan).
    long before = idxScans(large.indexName());
    Random r = new Random(2);
    int found = 0;
    for (int i = 0; i < 20; i++) {
      float[] q = probe(large, r);
      List<String> truth = exact(large, q, 5);
      List<String> got = keys(repo.findNearest(large.bucket(), MODEL, EMBEDDER, q, 5));
      assertEquals(truth.get(0), got.get(0)); // the probe's own row
      found += (int) got.stream().filter(truth::contains).count();
    }
    assertTrue(found >= 95, "recall " + found + " of 100"); // approximate, but close
    awaitIdxScansAbove(large.indexName(), before);
    float[] q = probe(small, r);
    assertEquals(exact(small, q, 5), keys(repo.findNearest(small.bucket(), MODEL, EMBEDDER, q,
        5)));
  }

  @Test
  void lookup_duringCreateIndexConcurrently_takesExactPath_correctAndFast() throws Exception {
    Partition growing = new Partition("growing", MODEL, EMBEDDER);
    load(growing, 3_000);
    CompletableFuture<PartitionIndexes.Pass> pass;
    try (Blocker blocker = new Blocker()) {
      pass = CompletableFuture.supplyAsync(PartitionIndexesTest::runPass);
      passes.add(pass);
      awaitManagerWaiting("CREATE INDEX CONCURRENTLY");
      assertEquals("building", state(growing));
      assertEquals(Boolean.FALSE, catalogValid(growing.indexName()));
      assertFalse(indexes.hasValidIndex(growing));
      Random r = new Random(3);
      long[] micros = new long[30];
      for (int i = 0; i < micros.length; i++) {
        float[] q = probe(growing, r);
        long t0 = System.nanoTime();
        List<Neighbor> found = repo.findNearest(growing.bucket(), MODEL, EMBEDDER, q, 5);
        micros[i] = (System.nanoTime() - t0) / 1000;
        assertEquals(exact(growing, q, 5), keys(found));
      }
      Arrays.sort(micros);
      long median = micros[micros.length / 2];
      assertTrue(median < 50_000, "median " + median + " µs"); // the production lookup budget
      // Stores go on too: CONCURRENTLY takes no lock that blocks them.
      insert(growing, 10);
      assertFalse(pass.isDone());
    }
    assertEquals(1, pass.get(60, TimeUnit.SECONDS).built());
    assertEquals("valid", state(growing));
    assertTrue(indexes.hasValidIndex(growing));
  }

  @Test
  void cancelledBuild_leavesInvalidIndex_thatIsDroppedAndRetried() throws Exception {
    Partition cancelled = new Partition("cancelled", MODEL, EMBEDDER);
    load(cancelled, 2_000);
    CompletableFuture<PartitionIndexes.Pass> pass;
    try (Blocker blocker = new Blocker()) {
      pass = CompletableFuture.supplyAsync(PartitionIndexesTest::runPass);
      passes.add(pass);
      awaitManagerWaiting("CREATE INDEX CONCURRENTLY");
      managerBackend("pg_cancel_backend");
      // The failed build's INVALID index stays until the manager's DROP INDEX CONCURRENTLY,
      // which waits for the blocking transaction.
      awaitManagerWaiting("DROP INDEX CONCURRENTLY");
      assertEquals(Boolean.FALSE, catalogValid(cancelled.indexName()));
    }
    PartitionIndexes.Pass failed = pass.get(60, TimeUnit.SECONDS);
    assertEquals(1, failed.failed(), failed.toString());
    assertEquals("invalid", state(cancelled));
    assertNull(catalogValid(cancelled.indexName()));
    assertTrue(queryString("SELECT last_error FROM partition_index WHERE index_name = '"
        + cancelled.indexName() + "'").contains("57014"));
    assertFalse(indexes.hasValidIndex(cancelled));

    // Not before the retry delay...
    indexes.settings(new PartitionIndexes.Settings(1_000, 500,
        Duration.ofHours(1), Duration.ZERO, "64MB", true));
    assertEquals(0, indexes.runPass().built());
    assertEquals("invalid", state(cancelled));
    // ...then built.
    indexes.settings(SETTINGS);
    assertEquals(1, indexes.runPass().built());
    assertEquals("valid", state(cancelled));
    assertEquals(2, queryLong("SELECT attempts FROM partition_index WHERE index_name = '"
        + cancelled.indexName() + "'"));
    assertTrue(indexes.hasValidIndex(cancelled));
  }

  /** The process dies mid-build: its row says building, the catalog holds an INVALID index. */
  @Test
  void crashMidBuild_invalidIndexRecoveredByTheNextInstance() throws Exception {
    Partition crashed = new Partition("crashed", MODEL, EMBEDDER);
    load(crashed, 2_000);
    CompletableFuture<PartitionIndexes.Pass> pass;
    try (Blocker blocker = new Blocker()) {
      pass = CompletableFuture.supplyAsync(PartitionIndexesTest::runPass);
      passes.add(pass);
      awaitManagerWaiting("CREATE INDEX CONCURRENTLY");
      managerBackend("pg_terminate_backend"); // the connection dies as with the process
    }
    assertThrows(Exception.class, () -> pass.get(60, TimeUnit.SECONDS));
    assertEquals("building", state(crashed));
    assertEquals(Boolean.FALSE, catalogValid(crashed.indexName()));

    try (PartitionIndexes restarted = new PartitionIndexes(SCHEMA.builder()
        .embeddingDimension(DIM).build())) {
      restarted.settings(SETTINGS);
      PartitionIndexes.Pass recovered = restarted.runPass();
      assertTrue(recovered.recovered() >= 1, recovered.toString());
      assertEquals(1, recovered.built(), recovered.toString());
      assertTrue(restarted.hasValidIndex(crashed));
    }
    assertEquals("valid", state(crashed));
    assertEquals(Boolean.TRUE, catalogValid(crashed.indexName()));
  }

  @Test
  void partitionShrinksWellBelowThreshold_indexDropped_lookupsExact() throws Exception {
    Partition shrinking = new Partition("shrinking", MODEL, EMBEDDER);
    load(shrinking, 1_500);
    indexes.runPass();
    assertEquals("valid", state(shrinking));

    delete(shrinking, 800); // 700 left: below the threshold, not well below it
    indexes.runPass();
    assertEquals("valid", state(shrinking));

    delete(shrinking, 300); // 400 left: below dropBelow (500)
    PartitionIndexes.Pass pass = indexes.runPass();
    assertTrue(pass.dropped() >= 1, pass.toString());
    assertNull(state(shrinking));
    assertNull(catalogValid(shrinking.indexName()));
    assertFalse(indexes.hasValidIndex(shrinking));
    float[] q = probe(shrinking, new Random(5));
    assertEquals(exact(shrinking, q, 5), keys(repo.findNearest(shrinking.bucket(), MODEL,
        EMBEDDER, q, 5)));
  }

  /**
   * Idleness drops nothing: a large partition searched again after months must find its index,
   * not an exact scan that blows the lookup budget. Only shrinking drops an index.
   */
  @Test
  void partitionGoesCold_keepsItsIndex() throws Exception {
    Partition cold = new Partition("cold", MODEL, EMBEDDER);
    load(cold, 1_500);
    indexes.runPass();
    assertEquals("valid", state(cold));
    execute("UPDATE cache_entry SET created_at = now() - interval '30 days', last_hit_at = NULL"
        + " WHERE bucket = 'cold'");
    indexes.runPass();
    assertEquals("valid", state(cold));
    assertTrue(indexes.hasValidIndex(cold));
  }

  /** The global index of V2 stays until every large partition has its own, then goes. */
  @Test
  void globalIndex_keptWhileALargePartitionLacksItsOwn_thenDropped() throws Exception {
    execute("CREATE INDEX IF NOT EXISTS " + PartitionIndexes.GLOBAL_INDEX + " ON cache_entry"
        + " USING hnsw (embedding vector_cosine_ops) " + PartitionSql.HNSW_WITH + " WHERE "
        + PartitionSql.CANDIDATE);
    Partition late = new Partition("late", MODEL, EMBEDDER);
    load(late, 1_500);
    // A build that times out at once: the partition is left without an index of its own.
    indexes.settings(new PartitionIndexes.Settings(1_000, 500,
        Duration.ZERO, Duration.ofMillis(1), "64MB", true));
    PartitionIndexes.Pass failed = indexes.runPass();
    assertEquals(1, failed.failed(), failed.toString());
    assertFalse(failed.droppedGlobal());
    assertTrue(indexes.globalIndex());
    assertEquals(Boolean.TRUE, catalogValid(PartitionIndexes.GLOBAL_INDEX));

    indexes.settings(SETTINGS);
    PartitionIndexes.Pass built = indexes.runPass();
    assertEquals(1, built.built(), built.toString());
    assertTrue(built.droppedGlobal());
    assertFalse(indexes.globalIndex());
    assertNull(catalogValid(PartitionIndexes.GLOBAL_INDEX));
    assertTrue(indexes.hasValidIndex(late));
  }

  @Test
  void indexName_isSafeIdentifierFromHash_andLiteralWhereQuotes() {
    Partition p = new Partition("a'; DROP TABLE x; --", "m\\", "e\"");
    assertTrue(p.indexName().matches("cache_entry_part_[0-9a-f]{16}"));
    assertEquals(p.indexName(), new Partition(p.bucket(), p.model(), p.embeddingModelId())
        .indexName());
    assertFalse(p.indexName().equals(new Partition("a", "b", "c").indexName()));
    assertEquals("bucket = 'a''; DROP TABLE x; --' AND model = 'm\\' AND embedding_model_id ="
        + " 'e\"' AND " + PartitionSql.CANDIDATE, p.literalWhere());
  }

  // --- helpers --------------------------------------------------------------------------------

  /** Passes started in the background: a failed test must not leave one running. */
  private final List<CompletableFuture<?>> passes = new ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void awaitPasses() {
    for (CompletableFuture<?> pass : passes) {
      try {
        pass.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the test asserted on it already
      }
    }
  }

  private static PartitionIndexes.Pass runPass() {
    try {
      return indexes.runPass();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Rows of random unit vectors, inserted by the server (fast). */
  private static void load(Partition p, int rows) throws SQLException {
    insert(p, rows);
    execute("ANALYZE cache_entry");
  }

  /** As {@link #load} without ANALYZE, whose lock waits for a concurrent index build. */
  private static void insert(Partition p, int rows) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); PreparedStatement ps =
        c.prepareStatement("INSERT INTO cache_entry (cache_key, prompt, normalized_prompt, model,"
            + " bucket, embedding, embedding_model_id, status, content_type, blob_sha256)"
            + " SELECT encode(sha256(convert_to(? || gen_random_uuid() || g, 'UTF8')), 'hex'),"
            + " 'p ' || g, 'p ' || g, ?, ?, (SELECT array_agg(random() - 0.5)"
            + " FROM generate_series(1, " + DIM + ") d WHERE g > 0)::vector, ?, 200, 'image/png',"
            + " repeat('a', 64)"
            + " FROM generate_series(1, ?) g")) {
      ps.setString(1, p.bucket());
      ps.setString(2, p.model());
      ps.setString(3, p.bucket());
      ps.setString(4, p.embeddingModelId());
      ps.setInt(5, rows);
      ps.execute();
    }
  }

  private static void delete(Partition p, int rows) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); PreparedStatement ps =
        c.prepareStatement("DELETE FROM cache_entry WHERE cache_key IN (SELECT cache_key FROM"
            + " cache_entry WHERE " + Partition.WHERE + " LIMIT ?)")) {
      ps.setInt(p.bind(ps, 1), rows);
      ps.execute();
    }
  }

  /** A stored vector of the partition plus noise, normalized. */
  private static float[] probe(Partition p, Random r) throws SQLException {
    String text = queryString("SELECT embedding::text FROM cache_entry WHERE bucket = "
        + Partition.literal(p.bucket()) + " OFFSET " + r.nextInt(200) + " LIMIT 1");
    String[] parts = text.substring(1, text.length() - 1).split(",");
    float[] v = new float[parts.length];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = Float.parseFloat(parts[i]) + (float) (r.nextGaussian() * 0.05);
      norm += v[i] * v[i];
    }
    for (int i = 0; i < v.length; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  /** The true top k: an ORDER BY on an expression, which no index answers. */
  private static List<String> exact(Partition p, float[] q, int k) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); PreparedStatement ps =
        c.prepareStatement("SELECT cache_key FROM cache_entry WHERE " + Partition.WHERE
            + " ORDER BY 1 - (embedding <=> ?) DESC, cache_key LIMIT ?")) {
      int i = p.bind(ps, 1);
      ps.setObject(i++, new PGvector(q));
      ps.setInt(i, k);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  private static List<String> keys(List<Neighbor> found) {
    return found.stream().map(Neighbor::cacheKey).toList();
  }

  /** EXPLAIN of the HNSW path's inner query, with custom plans as lookup connections have them. */
  private static String explainHnswQuery(Partition p, float[] q) throws SQLException {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off");
      }
      try (PreparedStatement ps = c.prepareStatement("EXPLAIN SELECT cache_key FROM cache_entry"
          + " WHERE " + Partition.WHERE + " AND (expires_at IS NULL OR expires_at > now())"
          + " ORDER BY embedding <=> ? LIMIT 200")) {
        int i = p.bind(ps, 1);
        ps.setObject(i, new PGvector(q));
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            plan.append(rs.getString(1)).append('\n');
          }
        }
        c.rollback();
        return plan.toString();
      }
    }
  }

  private static long idxScans(String index) throws SQLException {
    return queryLong("SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes"
        + " WHERE schemaname = '" + SCHEMA.name() + "' AND indexrelname = '" + index + "'");
  }

  /** Index statistics reach the shared counters up to a second or so after the transaction. */
  private static void awaitIdxScansAbove(String index, long before) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (idxScans(index) <= before) {
      assertTrue(System.nanoTime() < deadline, "no scan of " + index + " was counted");
      Thread.sleep(100);
    }
  }

  private static String state(Partition p) throws SQLException {
    return queryString("SELECT state FROM partition_index WHERE bucket = "
        + Partition.literal(p.bucket()));
  }

  /** pg_index.indisvalid of the index, or null when there is no such index. */
  private static Boolean catalogValid(String index) throws SQLException {
    String v = queryString("SELECT i.indisvalid::text FROM pg_index i JOIN pg_class c"
        + " ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = '" + SCHEMA.name() + "' AND c.relname = '" + index + "'");
    return v == null ? null : Boolean.valueOf(v);
  }

  private static String indexDefinition(String index) throws SQLException {
    return queryString("SELECT pg_get_indexdef(('" + SCHEMA.name() + ".' || '" + index
        + "')::regclass)");
  }

  /** Waits until the manager's connection runs {@code prefix...} and waits on a lock. */
  private static void awaitManagerWaiting(String prefix) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
        + "deja-indexes/" + SCHEMA.name() + "' AND query LIKE '" + prefix + "%'"
        + " AND wait_event_type = 'Lock'") == 0) {
      assertTrue(System.nanoTime() < deadline, "the manager never waited in " + prefix);
      Thread.sleep(20);
    }
  }

  private static void managerBackend(String function) throws SQLException {
    assertEquals(1, queryLong("SELECT count(" + function + "(pid)) FROM pg_stat_activity"
        + " WHERE application_name = 'deja-indexes/" + SCHEMA.name() + "'"));
  }

  private static long queryLong(String sql) throws SQLException {
    String v = queryString(sql);
    assertNotNull(v, sql);
    return Long.parseLong(v);
  }

  private static String queryString(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /**
   * An open transaction holding a lock that {@code CREATE INDEX CONCURRENTLY} (and {@code DROP
   * INDEX CONCURRENTLY}) must wait for: it keeps a build in progress as long as the test needs.
   */
  private static final class Blocker implements AutoCloseable {
    private final Connection c;

    Blocker() throws SQLException {
      c = db.dataSource().getConnection();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("LOCK TABLE cache_entry IN ROW EXCLUSIVE MODE");
      }
    }

    @Override
    public void close() throws SQLException {
      c.rollback();
      c.setAutoCommit(true);
      c.close();
    }
  }
}
