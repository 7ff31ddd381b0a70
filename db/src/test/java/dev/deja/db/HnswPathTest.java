package dev.deja.db;

import static dev.deja.db.Fixtures.key;
import static dev.deja.db.testing.TestVectors.perturb;
import static dev.deja.db.testing.TestVectors.unitVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestVectors;
import com.pgvector.PGvector;
import dev.deja.db.internal.JdbcCacheRepository;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A partition above the HNSW threshold: the HNSW + iterative-scan path. Dimension 32 keeps the
 * load fast; the path and the index are the same as at 384.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HnswPathTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(HnswPathTest.class);
  static final int DIM = 32;
  static final int ROWS = JdbcCacheRepository.HNSW_PARTITION_THRESHOLD + 2_000;
  static final String BUCKET = "big";
  static DejaDatabase db;
  static CacheRepository repo;
  static float[][] vectors = new float[ROWS][];
  static final Set<Integer> gone = new HashSet<>();
  static final int SMALL = 60;
  static float[][] small = new float[SMALL][];

  @BeforeAll
  static void load() throws Exception {
    db = DejaDatabase.open(SCHEMA.config(DIM));
    repo = db.repository();
    Random r = new Random(11);
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (FindNearestTest.Loader l = new FindNearestTest.Loader(c)) {
        for (int i = 0; i < ROWS; i++) {
          vectors[i] = unitVector(r, DIM);
          l.add(key("big-" + i), "big " + i, BUCKET, vectors[i], null);
        }
        for (int i = 0; i < SMALL; i++) {
          small[i] = unitVector(r, DIM);
          l.add(key("small-" + i), "small " + i, "small", small[i], null);
        }
        // Much closer neighbours of every probe, in other partitions.
        for (int i = 0; i < 3000; i++) {
          l.add(key("near-" + i), "near " + i, "near-" + (i % 30),
              perturb(r, vectors[i % 50], 0.01), null);
        }
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
  @Order(1)
  void findNearest_largePartition_takesHnswPath_andFindsTrueNearest() {
    assertTrue(JdbcCacheRepository.usesHnsw(ROWS));
    assertProbesCorrect(new Random(21));
  }

  /**
   * The trap: when the planner prefers HNSW for a small partition (it did for a 4,000-row bucket
   * in a 1M-row table), a plain {@code ORDER BY embedding <=> q LIMIT k} filters after taking
   * ef_search candidates and comes back short or empty. {@code enable_sort = off} makes this
   * table small enough to show it; the repository's exact path must still be right.
   */
  @Test
  @Order(2)
  void findNearest_smallPartition_whenPlannerPrefersHnsw_stillReturnsTrueNearest()
      throws Exception {
    String url = TestDatabase.settings().url();
    String prefersHnsw = url + (url.contains("?") ? "&" : "?") + "options=-c%20enable_sort%3Doff";
    Random r = new Random(31);
    int shortNaive = 0;
    try (DejaDatabase hnswLoving = DejaDatabase.open(
        SCHEMA.builder().url(prefersHnsw).embeddingDimension(DIM).build());
        Connection c = hnswLoving.dataSource().getConnection()) {
      CacheRepository trapped = hnswLoving.repository();
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
  @Order(3)
  void findNearest_largePartition_neverReturnsExpiredEntries() throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      // Every probe's own row (0..49) plus a thousand more expire.
      s.execute("UPDATE cache_entry SET expires_at = now() - interval '1 second'"
          + " WHERE bucket = 'big' AND split_part(prompt, ' ', 2)::int < 1000");
    }
    for (int i = 0; i < 1000; i++) {
      gone.add(i);
    }
    assertProbesCorrect(new Random(22));
  }

  @Test
  @Order(4)
  void hnsw_afterDeletingManyRowsAndVacuum_lookupsStayCorrect() throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM cache_entry WHERE bucket = 'big'"
          + " AND split_part(prompt, ' ', 2)::int % 5 < 3");
      s.execute("VACUUM cache_entry");
    }
    for (int i = 0; i < ROWS; i++) {
      if (i % 5 < 3) {
        gone.add(i);
      }
    }
    assertProbesCorrect(new Random(23));
  }

  private static void assertProbesCorrect(Random r) {
    int probes = 40;
    for (int p = 0; p < probes; p++) {
      int origin = r.nextInt(ROWS);
      float[] q = perturb(r, vectors[origin], 0.2);
      int truth = -1;
      for (int i = 0; i < ROWS; i++) {
        if (!gone.contains(i)
            && (truth < 0 || TestVectors.cosine(q, vectors[i]) > TestVectors.cosine(q, vectors[truth]))) {
          truth = i;
        }
      }
      List<Neighbor> n = repo.findNearest(BUCKET, Fixtures.MODEL, Fixtures.EMBEDDER, q, 5);
      assertEquals(5, n.size(), "a large partition always yields k neighbours");
      assertEquals("big " + truth, n.get(0).prompt(), "probe " + p);
      for (Neighbor x : n) {
        assertTrue(x.prompt().startsWith("big "), x.prompt());
        assertFalse(gone.contains(Integer.parseInt(x.prompt().substring(4))), x.prompt());
      }
    }
  }
}
