package dev.deja.db.bench;

import static dev.deja.db.testing.TestVectors.perturb;
import static dev.deja.db.testing.TestVectors.unitVector;

import com.pgvector.PGvector;
import dev.deja.db.DejaDatabase;
import dev.deja.db.PartitionSql;
import dev.deja.db.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Measures the two findNearest paths per partition size; the numbers in docs/DATABASE.md come
 * from here. Not a test: run by hand (see docs/DATABASE.md for the command).
 *
 * <p>Args: partition sizes, e.g. {@code 100 1000 10000 100000}. Dimension 384 (the real model).
 */
public final class PartitionBench {

  static final int DIM = 384;
  static final int QUERIES = 30;

  static final String EXACT = "SELECT cache_key, 1 - (embedding <=> ?) AS s FROM cache_entry"
      + " WHERE " + PartitionSql.where("?", "'m'", "'e'")
      + " AND (expires_at IS NULL OR expires_at > now())"
      + " ORDER BY s DESC LIMIT 10";
  static final String HNSW = "WITH c AS MATERIALIZED (SELECT cache_key, embedding <=> ? AS d"
      + " FROM cache_entry WHERE " + PartitionSql.where("?", "'m'", "'e'")
      + " AND (expires_at IS NULL OR expires_at > now()) ORDER BY embedding <=> ? LIMIT 10)"
      + " SELECT cache_key, 1 - d FROM c ORDER BY d";

  public static void main(String[] args) throws Exception {
    int[] sizes = args.length == 0 ? new int[] {100, 1000, 10000, 100000}
        : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    TestDatabase.Schema schema = TestDatabase.isolatedSchema(PartitionBench.class);
    System.out.println("schema " + schema);
    try (DejaDatabase db = DejaDatabase.open(schema.config(DIM));
        Connection c = db.dataSource().getConnection()) {
      Random r = new Random(1);
      try (Statement s = c.createStatement()) {
        s.execute("DROP INDEX cache_entry_embedding_hnsw");
        s.execute("INSERT INTO image_blob (sha256, bytes, byte_size, content_type) VALUES"
            + " (repeat('a', 64), '\\x00', 1, 'image/png')");
      }
      List<float[][]> members = new ArrayList<>();
      long t0 = System.nanoTime();
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO cache_entry (cache_key,"
          + " prompt, normalized_prompt, model, bucket, embedding, embedding_model_id, status,"
          + " content_type, blob_sha256) VALUES (?, 'p', 'p', 'm', ?, ?, 'e', 200, 'image/png',"
          + " repeat('a', 64))")) {
        int n = 0;
        for (int size : sizes) {
          float[][] m = new float[size][];
          // Clustered data like prompts: topics, with variations around them.
          float[][] topics = new float[Math.max(1, size / 20)][];
          for (int t = 0; t < topics.length; t++) {
            topics[t] = unitVector(r, DIM);
          }
          for (int i = 0; i < size; i++) {
            m[i] = perturb(r, topics[r.nextInt(topics.length)], 0.6);
            ps.setString(1, String.format("%064x", n++));
            ps.setString(2, "p" + size);
            ps.setObject(3, new PGvector(m[i]));
            ps.addBatch();
            if (n % 1000 == 0) {
              ps.executeBatch();
            }
          }
          members.add(m);
        }
        ps.executeBatch();
      }
      c.commit();
      c.setAutoCommit(true);
      System.out.printf("loaded %d rows in %.1f s%n", Arrays.stream(sizes).sum(),
          (System.nanoTime() - t0) / 1e9);
      try (Statement s = c.createStatement()) {
        s.execute("SET maintenance_work_mem = '512MB'");
        s.execute("SET max_parallel_maintenance_workers = 0");
        t0 = System.nanoTime();
        s.execute(PartitionSql.GLOBAL_HNSW_INDEX);
        System.out.printf("HNSW build (m=16, ef_construction=64, serial): %.1f s%n",
            (System.nanoTime() - t0) / 1e9);
        s.execute("VACUUM ANALYZE cache_entry");
      }
      System.out.println("partition | path | ef_search | p50 ms | p95 ms | recall@1 |"
          + " recall@10 | empty results");
      for (int p = 0; p < sizes.length; p++) {
        float[][] m = members.get(p);
        String bucket = "p" + sizes[p];
        float[][] queries = new float[QUERIES][];
        for (int q = 0; q < QUERIES; q++) {
          queries[q] = perturb(r, m[r.nextInt(m.length)], 0.3);
        }
        List<List<String>> truth = new ArrayList<>();
        double[] lat = new double[QUERIES];
        for (int q = 0; q < QUERIES; q++) {
          long s0 = System.nanoTime();
          truth.add(run(c, EXACT, queries[q], bucket, false));
          lat[q] = (System.nanoTime() - s0) / 1e6;
        }
        report(sizes[p], "exact | -", lat, truth, truth);
        for (int ef : new int[] {40, 100, 200}) {
          for (String mode : new String[] {"off", "relaxed_order"}) {
            set(c, "SET hnsw.ef_search = " + ef + "; SET hnsw.iterative_scan = " + mode
                + "; SET enable_sort = " + (mode.equals("off") ? "on" : "on"));
            List<List<String>> got = new ArrayList<>();
            for (int q = 0; q < QUERIES; q++) {
              long s0 = System.nanoTime();
              got.add(run(c, HNSW, queries[q], bucket, true));
              lat[q] = (System.nanoTime() - s0) / 1e6;
            }
            report(sizes[p], "hnsw/" + mode + plan(c, queries[0], bucket) + " | " + ef, lat, got,
                truth);
          }
        }
        set(c, "RESET hnsw.ef_search; RESET hnsw.iterative_scan");
      }
      // Insert cost with and without the HNSW index at this table size.
      for (boolean hnsw : new boolean[] {true, false}) {
        if (!hnsw) {
          set(c, "DROP INDEX cache_entry_embedding_hnsw");
        }
        double[] ins = new double[200];
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO cache_entry (cache_key,"
            + " prompt, normalized_prompt, model, bucket, embedding, embedding_model_id, status,"
            + " content_type, blob_sha256) VALUES (?, 'p', 'p', 'm', 'ins', ?, 'e', 200,"
            + " 'image/png', repeat('a', 64))")) {
          for (int i = 0; i < ins.length; i++) {
            ps.setString(1, String.format("%064x", (hnsw ? 20_000_000L : 30_000_000L) + i));
            ps.setObject(2, new PGvector(unitVector(r, DIM)));
            long s0 = System.nanoTime();
            ps.executeUpdate();
            ins[i] = (System.nanoTime() - s0) / 1e6;
          }
        }
        Arrays.sort(ins);
        System.out.printf("insert with%s HNSW: p50 %.2f ms, p95 %.2f ms%n", hnsw ? "" : "out",
            ins[ins.length / 2], ins[(int) (ins.length * 0.95)]);
      }
    } finally {
      schema.drop();
    }
  }

  static String plan(Connection c, float[] q, String bucket) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + HNSW)) {
      ps.setObject(1, new PGvector(q));
      ps.setString(2, bucket);
      ps.setObject(3, new PGvector(q));
      StringBuilder sb = new StringBuilder();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sb.append(rs.getString(1));
        }
      }
      return sb.toString().contains("hnsw") ? "(plan: hnsw)" : "(plan: btree+sort)";
    }
  }

  static void set(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static List<String> run(Connection c, String sql, float[] q, String bucket, boolean hnsw)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, new PGvector(q));
      ps.setString(2, bucket);
      if (hnsw) {
        ps.setObject(3, new PGvector(q));
      }
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  static void report(int size, String path, double[] lat, List<List<String>> got,
      List<List<String>> truth) {
    double[] l = lat.clone();
    Arrays.sort(l);
    int r1 = 0;
    int r10 = 0;
    int t10 = 0;
    int empty = 0;
    for (int q = 0; q < got.size(); q++) {
      List<String> g = got.get(q);
      List<String> t = truth.get(q);
      if (g.isEmpty()) {
        empty++;
      }
      if (!g.isEmpty() && !t.isEmpty() && g.get(0).equals(t.get(0))) {
        r1++;
      }
      Set<String> ts = new HashSet<>(t);
      for (String k : g) {
        if (ts.contains(k)) {
          r10++;
        }
      }
      t10 += t.size();
    }
    System.out.printf("%d | %s | %.2f | %.2f | %.2f | %.2f | %d%n", size, path,
        l[l.length / 2], l[(int) (l.length * 0.95)], r1 / (double) got.size(),
        r10 / (double) Math.max(1, t10), empty);
  }
}
