package dev.deja.db;

import static dev.deja.db.Fixtures.key;
import static dev.deja.db.testing.TestVectors.perturb;
import static dev.deja.db.testing.TestVectors.unitVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestVectors;
import com.pgvector.PGvector;
import dev.deja.db.internal.PostgresCacheRepository;
import dev.deja.db.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A partition above the HNSW threshold: the HNSW + iterative-scan path. Dimension 32 keeps the
 * load fast; the path and the index are the same as at 384.
 *
 * <p>Each test owns the data it changes, so the tests hold alone and in any order: {@code big}
 * is only read, {@code expiring} is the one that gets expired rows, {@code thinned} the one that
 * loses rows. All live in one table, so each is a distractor for the others in the one HNSW
 * index, as partitions are in production.
 */
class HnswPathTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(HnswPathTest.class);
  static final int DIM = 32;
  static final int ROWS = PostgresCacheRepository.HNSW_PARTITION_THRESHOLD + 2_000;
  // Just above the threshold: expired rows still count, so it stays on the HNSW path.
  static final int EXPIRING_ROWS = PostgresCacheRepository.HNSW_PARTITION_THRESHOLD + 100;
  static DejaDatabase db;
  static CacheStore repo;
  static BigPartition big;
  static BigPartition expiring;
  static BigPartition thinned;
  static final int SMALL = 60;
  static float[][] small = new float[SMALL][];

  /** A large partition of random unit vectors; row i has the prompt "{bucket} i". */
  static final class BigPartition {
    final String bucket;
    final float[][] vectors;

    BigPartition(String bucket, int rows) {
      this.bucket = bucket;
      this.vectors = new float[rows][];
    }

    void load(FindNearestTest.Loader l, Random r) throws Exception {
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = unitVector(r, DIM);
        l.add(key(bucket + "-" + i), bucket + " " + i, bucket, vectors[i], null);
      }
    }
  }

  @BeforeAll
  static void load() throws Exception {
    // Path choice and correctness, not latency (ScaleBenchmark measures that): a loaded CI machine
    // must not turn the production 50 ms lookup budget into a failure here.
    db = DejaDatabase.open(SCHEMA.builder().embeddingDimension(DIM)
        .lookupTimeout(java.time.Duration.ofSeconds(5)).build());
    repo = db.repository();
    big = new BigPartition("big", ROWS);
    expiring = new BigPartition("expiring", EXPIRING_ROWS);
    thinned = new BigPartition("thinned", ROWS);
    Random r = new Random(11);
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (FindNearestTest.Loader l = new FindNearestTest.Loader(c)) {
        big.load(l, r);
        for (int i = 0; i < SMALL; i++) {
          small[i] = unitVector(r, DIM);
          l.add(key("small-" + i), "small " + i, "small", small[i], null);
        }
        // Much closer neighbours of some rows of big, in other partitions.
        for (int i = 0; i < 3000; i++) {
          l.add(key("near-" + i), "near " + i, "near-" + (i % 30),
              perturb(r, big.vectors[i % 50], 0.01), null);
        }
        expiring.load(l, r);
        thinned.load(l, r);
      }
      c.commit();
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.execute("ANALYZE cache_entry");
      }
    }
  }

  @AfterAll
  static void drop() {
    db.close();
    SCHEMA.drop();
  }

  @Test
  void findNearest_largePartition_takesHnswPath_andFindsTrueNearest() throws Exception {
    assertTrue(PostgresCacheRepository.usesHnsw(rowsIn(big)));
    assertProbesCorrect(big, Set.of(), new Random(21));
  }

  /**
   * The trap: when the planner prefers HNSW for a small partition (it did for a 4,000-row bucket
   * in a 1M-row table), a plain {@code ORDER BY embedding <=> q LIMIT k} filters after taking
   * ef_search candidates and comes back short or empty. {@code enable_sort = off} makes this
   * table small enough to show it; the repository's exact path must still be right.
   */
  @Test
  void findNearest_smallPartition_whenPlannerPrefersHnsw_stillReturnsTrueNearest()
      throws Exception {
    String url = TestDatabase.settings().url();
    String prefersHnsw = url + (url.contains("?") ? "&" : "?") + "options=-c%20enable_sort%3Doff";
    Random r = new Random(31);
    int shortNaive = 0;
    try (DejaDatabase hnswLoving = DejaDatabase.open(
        SCHEMA.builder().url(prefersHnsw).embeddingDimension(DIM)
            .lookupTimeout(java.time.Duration.ofSeconds(5)).build());
        Connection c = hnswLoving.dataSource().getConnection()) {
      CacheStore trapped = hnswLoving.repository();
      for (int p = 0; p < 20; p++) {
        float[] q = perturb(r, small[r.nextInt(SMALL)], 0.2);
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM (SELECT 1 FROM"
            + " cache_entry WHERE bucket = 'small' AND model = ? AND embedding_model_id = ?"
            + " AND source = 'origin' AND embedding IS NOT NULL ORDER BY embedding <=> ?"
            + " LIMIT 5) s")) {
          ps.setString(1, Fixtures.MODEL);
          ps.setString(2, Fixtures.EMBEDDER);
          ps.setObject(3, new PGvector(q));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (rs.getInt(1) < 5) {
              shortNaive++;
            }
          }
        }
        int truth = 0;
        for (int i = 1; i < SMALL; i++) {
          if (TestVectors.cosine(q, small[i]) > TestVectors.cosine(q, small[truth])) {
            truth = i;
          }
        }
        List<Neighbor> n = trapped.findNearest("small", Fixtures.MODEL, Fixtures.EMBEDDER, q, 5);
        assertEquals(5, n.size());
        assertEquals("small " + truth, n.get(0).prompt());
      }
    }
    assertTrue(shortNaive > 0, "the naive HNSW query should show the trap on this data");
  }

  @Test
  void findNearest_largePartition_neverReturnsExpiredEntries() throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("UPDATE cache_entry SET expires_at = now() - interval '1 second'"
          + " WHERE bucket = 'expiring' AND split_part(prompt, ' ', 2)::int < 1000");
    }
    Set<Integer> expired = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      expired.add(i);
    }
    // Expired rows still count towards the partition size: the HNSW path has to skip them.
    // Half the probes aim at expired rows, where a leak would show as the wrong first result.
    assertTrue(PostgresCacheRepository.usesHnsw(rowsIn(expiring)));
    assertProbesCorrect(expiring, expired, new Random(22), 0, 1000);
    assertProbesCorrect(expiring, expired, new Random(24));
  }

  @Test
  void hnsw_afterDeletingManyRowsAndVacuum_lookupsStayCorrect() throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      // A quarter of the rows: many holes in the graph, and 5,250 rows stay, so the partition
      // is still above the threshold and this exercises the HNSW path, not the exact scan.
      s.execute("DELETE FROM cache_entry WHERE bucket = 'thinned'"
          + " AND split_part(prompt, ' ', 2)::int % 4 = 0");
      s.execute("VACUUM cache_entry");
    }
    Set<Integer> deleted = new HashSet<>();
    for (int i = 0; i < ROWS; i += 4) {
      deleted.add(i);
    }
    assertTrue(PostgresCacheRepository.usesHnsw(rowsIn(thinned)));
    assertProbesCorrect(thinned, deleted, new Random(23));
  }

  private static long rowsIn(BigPartition p) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT count(*) FROM cache_entry WHERE bucket = ?")) {
      ps.setString(1, p.bucket);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void assertProbesCorrect(BigPartition p, Set<Integer> gone, Random r) {
    assertProbesCorrect(p, gone, r, 0, p.vectors.length);
  }

  /** 40 probes near random rows in [from, to): the true nearest live row comes first. */
  private static void assertProbesCorrect(BigPartition p, Set<Integer> gone, Random r, int from,
      int to) {
    int probes = 40;
    for (int probe = 0; probe < probes; probe++) {
      int origin = from + r.nextInt(to - from);
      float[] q = perturb(r, p.vectors[origin], 0.2);
      int truth = -1;
      for (int i = 0; i < p.vectors.length; i++) {
        if (!gone.contains(i) && (truth < 0
            || TestVectors.cosine(q, p.vectors[i]) > TestVectors.cosine(q, p.vectors[truth]))) {
          truth = i;
        }
      }
      List<Neighbor> n = repo.findNearest(p.bucket, Fixtures.MODEL, Fixtures.EMBEDDER, q, 5);
      assertEquals(5, n.size(), "a large partition always yields k neighbours");
      assertEquals(p.bucket + " " + truth, n.get(0).prompt(), "probe " + probe);
      for (Neighbor x : n) {
        assertTrue(x.prompt().startsWith(p.bucket + " "), x.prompt());
        int row = Integer.parseInt(x.prompt().substring(p.bucket.length() + 1));
        assertFalse(gone.contains(row), x.prompt());
      }
    }
  }
}
