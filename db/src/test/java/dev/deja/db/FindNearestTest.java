package dev.deja.db;

import static dev.deja.db.Fixtures.entry;
import static dev.deja.db.Fixtures.key;
import static dev.deja.db.testing.TestVectors.perturb;
import static dev.deja.db.testing.TestVectors.unitVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestVectors;
import com.pgvector.PGvector;
import dev.deja.db.testing.OpenDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Small and medium partitions: the exact-scan path. */
class FindNearestTest {

  @RegisterExtension
  static final OpenDatabase DB = new OpenDatabase(FindNearestTest.class);
  private final CacheStore repo = DB.repository();
  static final byte[] IMG = {1, 2, 3};

  @Test
  void findNearest_returnsNearestInsidePartition_whenAnotherBucketHoldsCloserVector() {
    Random r = new Random(1);
    float[] q = unitVector(r, 384);
    float[] mine = perturb(r, q, 0.5);
    repo.store(entry(key("cb-mine"), "mine", "cb-a", mine, null), IMG, false);
    repo.store(entry(key("cb-mine-far"), "mine far", "cb-a", unitVector(r, 384), null), IMG,
        false);
    repo.store(entry(key("cb-theirs"), "theirs", "cb-b", q, null), IMG, false);
    repo.store(entry(key("cb-model"), "other model", "x-model", "cb-a", q, null), IMG, false);

    List<Neighbor> n = repo.findNearest("cb-a", Fixtures.MODEL, Fixtures.EMBEDDER, q, 5);
    assertEquals(List.of("mine", "mine far"), n.stream().map(Neighbor::prompt).toList());
    assertTrue(n.get(0).similarity() > n.get(1).similarity());
    assertEquals(TestVectors.cosine(q, mine), n.get(0).similarity(), 1e-5);
  }

  @Test
  void findNearest_otherEmbeddingModel_isAnotherPartition() {
    Random r = new Random(2);
    float[] q = unitVector(r, 384);
    repo.store(entry(key("em-1"), "p", "em", q, null), IMG, false);
    assertEquals(1, repo.findNearest("em", Fixtures.MODEL, Fixtures.EMBEDDER, q, 3).size());
    assertTrue(repo.findNearest("em", Fixtures.MODEL, "e5-small", q, 3).isEmpty());
  }

  @Test
  void findNearest_sameVectorIn300OtherBuckets_neverLeaksIntoPartition() throws Exception {
    Random r = new Random(3);
    float[] q = unitVector(r, 384);
    try (Connection c = DB.db().dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (Loader l = new Loader(c)) {
        for (int b = 0; b < 300; b++) {
          l.add(key("leak-" + b), "copy " + b, "leak-" + b, q, null);
        }
        l.add(key("leak-mine"), "mine", "leak-mine", perturb(r, q, 0.8), null);
      }
      c.commit();
    }
    List<Neighbor> n = repo.findNearest("leak-mine", Fixtures.MODEL, Fixtures.EMBEDDER, q, 10);
    assertEquals(List.of("mine"), n.stream().map(Neighbor::prompt).toList());
    assertTrue(repo.findNearest("leak-none", Fixtures.MODEL, Fixtures.EMBEDDER, q, 10).isEmpty());
  }

  /**
   * Regression for the trap measured on pgvector 0.8.0: with fresh statistics the planner picks
   * HNSW for a few-thousand-row partition and, filtering after ef_search candidates, finds
   * nothing. The partition here is a small fraction of the table, like a bucket among many.
   */
  @Test
  void findNearest_partitionOfFourThousandRowsWithFreshStatistics_findsTrueNearest()
      throws Exception {
    Random r = new Random(4);
    int dim = 384;
    float[][] mine = new float[4000][];
    try (Connection c = DB.db().dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (Loader l = new Loader(c)) {
        for (int i = 0; i < mine.length; i++) {
          mine[i] = unitVector(r, dim);
          l.add(key("ft-" + i), "mine " + i, "ft-mine", mine[i], null);
        }
        // Other partitions, each much closer to the query than anything in ft-mine.
        for (int i = 0; i < 4000; i++) {
          l.add(key("ft-other-" + i), "other " + i, "ft-other-" + (i % 100),
              perturb(r, mine[17], 0.05), null);
        }
      }
      c.commit();
      try (Statement s = c.createStatement()) {
        c.setAutoCommit(true);
        s.execute("ANALYZE " + DB.schema().name() + ".cache_entry");
      }
    }
    for (int probe : new int[] {17, 1234, 3999}) {
      float[] q = perturb(r, mine[probe], 0.3);
      int truth = 0;
      for (int i = 1; i < mine.length; i++) {
        if (TestVectors.cosine(q, mine[i]) > TestVectors.cosine(q, mine[truth])) {
          truth = i;
        }
      }
      List<Neighbor> n = repo.findNearest("ft-mine", Fixtures.MODEL, Fixtures.EMBEDDER, q, 1);
      assertEquals(1, n.size(), "top-1 in a 4,000-row partition must never be empty");
      assertEquals("mine " + truth, n.get(0).prompt());
      assertEquals(TestVectors.cosine(q, mine[truth]), n.get(0).similarity(), 1e-4);
    }
  }

  @Test
  void findNearest_neverReturnsExpiredEntriesOrAliases() {
    Random r = new Random(5);
    float[] q = unitVector(r, 384);
    repo.store(entry(key("ex-old"), "expired", "ex", q, Instant.now().minusSeconds(1)), IMG,
        false);
    repo.store(entry(key("ex-live"), "live", "ex", perturb(r, q, 0.5),
        Instant.now().plusSeconds(3600)), IMG, false);
    repo.storeAlias(new NewAlias(key("ex-alias"), key("ex-live"), 0.9, new StoredRequest("alias",
        "alias", Fixtures.MODEL, null, null, null, null, null, null, null, "ex"),
        Fixtures.EMBEDDER, null));
    List<Neighbor> n = repo.findNearest("ex", Fixtures.MODEL, Fixtures.EMBEDDER, q, 5);
    assertEquals(List.of("live"), n.stream().map(Neighbor::prompt).toList());
  }

  static String blob(Connection c) throws SQLException {
    String sha = key("shared-blob");
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO image_blob (sha256, bytes,"
        + " byte_size, content_type) VALUES (?, ?, 3, 'image/png') ON CONFLICT DO NOTHING")) {
      ps.setString(1, sha);
      ps.setBytes(2, IMG);
      ps.executeUpdate();
    }
    return sha;
  }

  /** Bulk loading in batches; same columns the repository writes. */
  static final class Loader implements AutoCloseable {
    private final PreparedStatement ps;
    private final String sha;
    private int pending;

    Loader(Connection c) throws SQLException {
      this.sha = blob(c);
      this.ps = c.prepareStatement("INSERT INTO cache_entry (cache_key, prompt,"
          + " normalized_prompt, model, bucket, embedding, embedding_model_id, status,"
          + " content_type, blob_sha256, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, 200,"
          + " 'image/png', ?, ?)");
    }

    void add(String key, String prompt, String bucket, float[] v, Instant expires)
        throws SQLException {
      ps.setString(1, key);
      ps.setString(2, prompt);
      ps.setString(3, prompt);
      ps.setString(4, Fixtures.MODEL);
      ps.setString(5, bucket);
      ps.setObject(6, new PGvector(v));
      ps.setString(7, Fixtures.EMBEDDER);
      ps.setString(8, sha);
      ps.setObject(9, expires == null ? null : java.sql.Timestamp.from(expires));
      ps.addBatch();
      if (++pending == 500) {
        flush();
      }
    }

    void flush() throws SQLException {
      if (pending > 0) {
        ps.executeBatch();
        pending = 0;
      }
    }

    @Override
    public void close() throws SQLException {
      flush();
      ps.close();
    }
  }
}
