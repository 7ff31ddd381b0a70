package dev.deja.db.bench;

import static dev.deja.db.bench.PartitionBench.DIM;
import static dev.deja.db.testing.TestVectors.perturb;
import static dev.deja.db.testing.TestVectors.unitVector;

import com.pgvector.PGvector;
import dev.deja.db.DejaDatabase;
import dev.deja.db.PartitionSql;
import dev.deja.db.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The filtered-HNSW trap on this machine: a small partition inside a large table. Reports how
 * often a plain HNSW top-10 comes back empty or short, what an iterative scan costs, and what the
 * exact path costs. Args: other rows (default 100000), partition sizes (default 400 4000).
 */
public final class TrapBench {

  static final String NAIVE = "SELECT cache_key FROM cache_entry WHERE "
      + PartitionSql.where("?", "'m'", "'e'") + " AND (expires_at IS NULL OR expires_at > now()) ORDER BY embedding <=> ? LIMIT 10";

  static void insertCost(Connection c, Random r, boolean hnsw) throws Exception {
    double[] ins = new double[300];
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
    java.util.Arrays.sort(ins);
    System.out.printf("insert (autocommit) with%s HNSW: p50 %.2f ms, p95 %.2f ms%n",
        hnsw ? "" : "out", ins[ins.length / 2], ins[(int) (ins.length * 0.95)]);
  }

  public static void main(String[] args) throws Exception {
    int others = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int[] parts = args.length > 1
        ? java.util.Arrays.stream(args).skip(1).mapToInt(Integer::parseInt).toArray()
        : new int[] {0, 400, 4000};
    TestDatabase.Schema schema = TestDatabase.isolatedSchema(TrapBench.class);
    try (DejaDatabase db = DejaDatabase.open(schema.config(DIM));
        Connection c = db.dataSource().getConnection()) {
      Random r = new Random(2);
      try (Statement s = c.createStatement()) {
        s.execute("DROP INDEX cache_entry_embedding_hnsw");
        s.execute("INSERT INTO image_blob (sha256, bytes, byte_size, content_type) VALUES"
            + " (repeat('a', 64), '\\x00', 1, 'image/png')");
      }
      c.setAutoCommit(false);
      List<float[][]> members = new ArrayList<>();
      long n = 0;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO cache_entry (cache_key,"
          + " prompt, normalized_prompt, model, bucket, embedding, embedding_model_id, status,"
          + " content_type, blob_sha256) VALUES (?, 'p', 'p', 'm', ?, ?, 'e', 200, 'image/png',"
          + " repeat('a', 64))")) {
        float[][] topics = new float[2000][];
        for (int t = 0; t < topics.length; t++) {
          topics[t] = unitVector(r, DIM);
        }
        for (int i = 0; i < others; i++) {
          ps.setString(1, String.format("%064x", n++));
          ps.setString(2, "o" + (i % 1000));
          ps.setObject(3, new PGvector(perturb(r, topics[r.nextInt(topics.length)], 0.6)));
          ps.addBatch();
          if (n % 1000 == 0) {
            ps.executeBatch();
          }
        }
        for (int size : parts) {
          float[][] m = new float[size][];
          for (int i = 0; i < size; i++) {
            m[i] = perturb(r, topics[r.nextInt(topics.length)], 0.6);
            ps.setString(1, String.format("%064x", n++));
            ps.setString(2, "t" + size);
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
      try (Statement s = c.createStatement()) {
        s.execute("SET maintenance_work_mem = '512MB'");
        s.execute("SET max_parallel_maintenance_workers = 0");
        long t0 = System.nanoTime();
        s.execute(PartitionSql.GLOBAL_HNSW_INDEX);
        System.out.printf("table %d rows; HNSW build %.1f s%n", n,
            (System.nanoTime() - t0) / 1e9);
        s.execute("VACUUM ANALYZE cache_entry");
      }
      System.out.println("partition | query | p50 ms | p95 ms | recall@1 | recall@10 | empty");
      for (int p = 0; p < parts.length; p++) {
        float[][] m = members.get(p);
        String bucket = "t" + parts[p];
        int queries = 30;
        float[][] qs = new float[queries][];
        for (int q = 0; q < queries; q++) {
          qs[q] = m.length == 0 ? unitVector(r, DIM) : perturb(r, m[r.nextInt(m.length)], 0.3);
        }
        double[] lat = new double[queries];
        List<List<String>> truth = new ArrayList<>();
        for (int q = 0; q < queries; q++) {
          long s0 = System.nanoTime();
          truth.add(PartitionBench.run(c, PartitionBench.EXACT, qs[q], bucket, false));
          lat[q] = (System.nanoTime() - s0) / 1e6;
        }
        PartitionBench.report(parts[p], "exact path", lat, truth, truth);
        for (String mode : new String[] {"off", "relaxed_order"}) {
          PartitionBench.set(c, "SET hnsw.ef_search = 40; SET hnsw.iterative_scan = " + mode);
          List<List<String>> got = new ArrayList<>();
          for (int q = 0; q < queries; q++) {
            long s0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement(NAIVE)) {
              ps.setString(1, bucket);
              ps.setObject(2, new PGvector(qs[q]));
              List<String> out = new ArrayList<>();
              try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                  out.add(rs.getString(1));
                }
              }
              got.add(out);
            }
            lat[q] = (System.nanoTime() - s0) / 1e6;
          }
          PartitionBench.report(parts[p], "ORDER BY <=> ef40 iterative=" + mode, lat, got,
              truth);
        }
        PartitionBench.set(c, "RESET hnsw.ef_search; RESET hnsw.iterative_scan");
      }
      insertCost(c, r, true);
      PartitionBench.set(c, "DROP INDEX cache_entry_embedding_hnsw");
      insertCost(c, r, false);
    } finally {
      schema.drop();
    }
  }
}
