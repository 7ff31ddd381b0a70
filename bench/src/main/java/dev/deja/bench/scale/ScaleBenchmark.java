package dev.deja.bench.scale;

import dev.deja.bench.EvalData;
import dev.deja.bench.http.BenchImages;
import dev.deja.bench.http.Results;
import dev.deja.db.CacheStore;
import dev.deja.db.DatabaseConfig;
import dev.deja.db.DejaDatabase;
import dev.deja.db.Neighbor;
import dev.deja.db.PartitionSql;
import dev.deja.db.internal.PostgresCacheRepository;
import dev.deja.filter.demo.DemoOriginServlet;
import dev.deja.filter.match.MatchPreset;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Nearest-neighbour lookup at 10k, 100k and 1M entries, straight against {@link
 * CacheStore#findNearest} (the production query path), with recall measured against an exact
 * scan of the same partition.
 *
 * <p>Data: real embeddings of real texts ({@link EmbeddingSet}), each row a text's vector plus
 * small Gaussian noise, renormalized. Partition skew as in production: half the rows in a few
 * large unseeded partitions per model (50/30/20 %), the other half in many small seeded
 * partitions of 1 to 20 rows (mean about 5: ~100k partitions at 1M). Rows are bulk-loaded with
 * binary COPY into the db module's table (one image blob shared by all), the HNSW index dropped
 * during the load and rebuilt with the migration's definition, timed.
 *
 * <p>Options: {@code --db-url --db-user --sizes 10000,100000 --queries 300 --k 3 --texts 12000
 * --work bench/work --eval-dir DIR (see {@link EvalData}) --out bench/results --keep-schema name
 * --command text}.
 */
public final class ScaleBenchmark {

  static final String[] MODELS = {"flux", "turbo"};
  static final String[] LARGE_BUCKETS = {"256x256_unseeded", "1024x1024_unseeded",
      "1344x768_unseeded"};
  static final double[] LARGE_SHARES = {0.5, 0.3, 0.2};
  /** Per-dimension noise: a row's cosine similarity to its text's vector is about 0.97. */
  static final double NOISE = 0.25 / Math.sqrt(384);
  static final int MAX_HELD_OUT = 500;
  static final String COPY = "COPY cache_entry (cache_key, prompt, normalized_prompt, model,"
      + " width, height, seed, bucket, embedding, embedding_model_id, status, content_type,"
      + " blob_sha256) FROM STDIN (FORMAT binary)";
  /**
   * The exact top k of a partition: the repository's own exact-scan query shape (an ORDER BY on
   * an expression, which HNSW cannot answer), run with sequential scans off so the planner reads
   * the partition through its btree index rather than the whole table.
   */
  static final String EXACT_TRUTH = "SELECT cache_key, 1 - (embedding <=> ?) AS similarity FROM"
      + " cache_entry WHERE " + PartitionSql.where("?", "?", "?")
      + " AND (expires_at IS NULL OR expires_at > now())"
      + " ORDER BY similarity DESC, cache_key LIMIT ?";

  private final Map<String, String> opts;
  /** The last size's summary line(s), printed on stdout at the end; null before any. */
  private String summary;

  private ScaleBenchmark(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    EvalData.exitIfMissing(() -> run(opts));
  }

  /** Runs every size the options name and writes one result file; returns its path. */
  public static Path run(Map<String, String> opts) throws Exception {
    return new ScaleBenchmark(opts).runAll();
  }

  private Path runAll() throws Exception {
    EmbeddingSet set = EmbeddingSet.load(EvalData.dir(opts.get("eval-dir")),
        Path.of(opt("work", "bench/work")), Integer.parseInt(opt("texts", "12000")));
    List<Map<String, Object>> sizes = new ArrayList<>();
    String label = "";
    for (String s : opt("sizes", "10000,100000").split(",")) {
      int n = Integer.parseInt(s.trim());
      if (n >= 1_000_000) {
        label = "-1m";
      }
      label += opt("label", "");
      sizes.add(size(set, n));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("scenario", "scale");
    result.put("date", Instant.now().toString());
    result.put("machine", Results.machine());
    result.put("command", opt("command", ""));
    result.put("texts", set.texts().size());
    result.put("embedding_model", set.modelId());
    result.put("noise_per_dim", NOISE);
    result.put("k", k());
    result.put("sizes", sizes);
    Path file = Results.write(Path.of(opt("out", "bench/results")), "scale" + label, result);
    System.err.println("wrote " + file);
    if (summary != null) {
      System.out.println(summary);
    }
    return file;
  }

  private Map<String, Object> size(EmbeddingSet set, int n) throws Exception {
    String schema = opts.getOrDefault("keep-schema", "bench_scale_" + n);
    boolean reuse = Boolean.parseBoolean(opt("reuse", "false"));
    log("== %d entries into schema %s%s", n, schema, reuse ? " (reused: queries only)" : "");
    if (reuse) {
      return queriesOnly(set, n, schema);
    }
    try (Connection c = connect()) {
      exec(c, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
    DatabaseConfig config = databaseConfig(set, schema);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("entries", n);
    Layout layout;
    try (DejaDatabase db = DejaDatabase.open(config); Connection c = connect()) {
      exec(c, "SET search_path = " + schema + ", public");
      String blob = insertBlob(c);
      exec(c, "DROP INDEX cache_entry_embedding_hnsw");
      long t0 = System.nanoTime();
      layout = load(c, set, n, blob);
      double loadS = (System.nanoTime() - t0) / 1e9;
      exec(c, "SET maintenance_work_mem = '" + opt("maintenance-work-mem", "3GB") + "'");
      exec(c, "SET max_parallel_maintenance_workers = 0");
      t0 = System.nanoTime();
      exec(c, PartitionSql.GLOBAL_HNSW_INDEX);
      double buildS = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      exec(c, "VACUUM ANALYZE cache_entry");
      double vacuumS = (System.nanoTime() - t0) / 1e9;
      log("loaded in %.1f s, HNSW built in %.1f s, vacuum analyze %.1f s", loadS, buildS, vacuumS);
      out.put("load_s", round(loadS));
      out.put("hnsw_build_s", round(buildS));
      out.put("vacuum_analyze_s", round(vacuumS));
      out.put("maintenance_work_mem", opt("maintenance-work-mem", "3GB"));
      out.put("partitions", layout.describe());
      out.put("sizes_bytes", sizes(c));
      out.put("insert_ms", insertCost(c, set, layout));
      Map<String, Object> queries = queries(db.repository(), c, set, layout);
      out.put("queries", queries);
      summary = summaryLine(layout, queries);
      if (Boolean.parseBoolean(opt("partial-indexes", "false"))) {
        partialIndexes(db, c, set, layout, out);
        efSweep(set, layout, config, c, out);
      }
    }
    if (!opts.containsKey("keep-schema") && !opts.containsKey("keep")) {
      try (Connection c = connect()) {
        exec(c, "DROP SCHEMA " + schema + " CASCADE");
      }
    }
    return out;
  }

  /**
   * Issue 14: the partial HNSW index per large partition, built by the repository's own manager
   * (one pass, timed; it drops the global index once every large partition has its own), then
   * the same queries and inserts again.
   */
  private void partialIndexes(DejaDatabase db, Connection c, EmbeddingSet set, Layout layout,
      Map<String, Object> out) throws SQLException {
    PostgresCacheRepository repo = (PostgresCacheRepository) db.repository();
    long t0 = System.nanoTime();
    repo.maintainIndexesNow();
    double buildS = (System.nanoTime() - t0) / 1e9;
    log("partial indexes built in %.1f s", buildS);
    out.put("partial_build_s", round(buildS));
    List<String> built = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT model, bucket,"
        + " rows_at_build, size_bytes, state FROM partition_indexes ORDER BY rows_at_build DESC")) {
      while (rs.next()) {
        built.add(rs.getString(1) + "/" + rs.getString(2) + " rows=" + rs.getLong(3) + " bytes="
            + rs.getLong(4) + " " + rs.getString(5));
      }
    }
    Map<String, Object> sizes = sizes(c);
    log("partial indexes: %s; global index bytes after the pass: %s", built,
        sizes.get("hnsw_index"));
    out.put("partial_indexes", built);
    out.put("sizes_bytes_partial", sizes);
    out.put("insert_ms_partial", insertCost(c, set, layout));
    Map<String, Object> queries = queries(repo, c, set, layout);
    queries.put("ef_search", DatabaseConfig.DEFAULT_HNSW_EF_SEARCH);
    out.put("queries_partial", queries);
    summary = summaryLine(layout, queries);
  }

  /**
   * {@code --ef-search E1,E2,...}: the same queries again through the partial indexes, once per
   * {@code hnsw.ef_search} (a fresh {@link DejaDatabase} each, since the lookup pool sets it per
   * connection), as {@code queries_ef_E}.
   */
  private void efSweep(EmbeddingSet set, Layout layout, DatabaseConfig config, Connection c,
      Map<String, Object> out) throws SQLException {
    String list = opt("ef-search", "");
    if (list.isBlank()) {
      return;
    }
    for (String e : list.split(",")) {
      int ef = Integer.parseInt(e.trim());
      try (DejaDatabase db = DejaDatabase.open(config.toBuilder().hnswEfSearch(ef).build())) {
        ((PostgresCacheRepository) db.repository()).maintainIndexesNow();
        Map<String, Object> queries = queries(db.repository(), c, set, layout);
        log("ef_search %d: %s", ef, summaryLine(layout, queries));
        queries.put("ef_search", ef);
        out.put("queries_ef_" + ef, queries);
      }
    }
  }

  /** The one line run-benchmarks.sh prints for {@code scale ROWS} (read by scripts: stable). */
  @SuppressWarnings("unchecked")
  private static String summaryLine(Layout layout, Map<String, Object> queries) {
    long rows = layout.smallRows + layout.largeRows.stream().mapToLong(Integer::longValue).sum();
    StringBuilder b = new StringBuilder("scale " + rows + ":");
    String sep = " ";
    for (String kind : List.of("large-near", "large-new")) {
      Map<String, Object> m = (Map<String, Object>) queries.get(kind);
      b.append(sep).append(String.format(Locale.ROOT, "%s p50 %s ms p99 %s ms recall %.1f %%",
          kind, m.get("p50_ms"), m.get("p99_ms"), 100 * (double) m.get("recall_mean")));
      sep = "; ";
    }
    return b.toString();
  }

  /**
   * Autocommit single-row inserts into the largest partition (the store's own statement shape,
   * without the blob), p50/p99 in ms; the rows are deleted afterwards.
   */
  private Map<String, Object> insertCost(Connection c, EmbeddingSet set, Layout layout)
      throws SQLException {
    int n = Integer.parseInt(opt("inserts", "200"));
    Histogram h = new Histogram(60_000_000L, 3);
    SplittableRandom rnd = new SplittableRandom(7);
    String blob;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT sha256 FROM image_blob LIMIT 1")) {
      rs.next();
      blob = rs.getString(1);
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO cache_entry (cache_key, prompt,"
        + " normalized_prompt, model, bucket, embedding, embedding_model_id, status, content_type,"
        + " blob_sha256) VALUES (?, 'insert', 'insert', ?, ?, ?, ?, 200, 'image/png', ?)")) {
      for (int i = 0; i < n; i++) {
        ps.setString(1, String.format(Locale.ROOT, "%064x", 0xface0000L + i));
        ps.setString(2, layout.large.get(0)[1]);
        ps.setString(3, layout.large.get(0)[0]);
        ps.setObject(4, new com.pgvector.PGvector(
            noisy(set.vectors()[rnd.nextInt(set.texts().size())], rnd)));
        ps.setString(5, layout.modelId);
        ps.setString(6, blob);
        long t0 = System.nanoTime();
        ps.executeUpdate();
        h.recordValue((System.nanoTime() - t0) / 1000);
      }
    }
    exec(c, "DELETE FROM cache_entry WHERE prompt = 'insert'");
    Map<String, Object> m = Results.percentiles(h);
    log("insert: p50 %.2f ms p99 %.2f ms", h.getValueAtPercentile(50) / 1e3,
        h.getValueAtPercentile(99) / 1e3);
    return m;
  }

  /** The database under test; lookups get 10 s so the benchmark measures slow queries too. */
  private DatabaseConfig databaseConfig(EmbeddingSet set, String schema) {
    return DatabaseConfig.builder().url(opt("db-url", null))
        .user(opt("db-user", "postgres")).password(opt("db-password", "")).schema(schema)
        .embeddingDimension(set.dimension()).lookupTimeout(java.time.Duration.ofSeconds(10))
        .build();
  }

  /**
   * Queries against a table an earlier run loaded with the same size and texts: the layout is
   * regenerated from the same seed without writing, so query variants (e.g. a JDBC URL option)
   * can be compared without another load and index build.
   */
  private Map<String, Object> queriesOnly(EmbeddingSet set, int n, String schema)
      throws Exception {
    DatabaseConfig config = databaseConfig(set, schema);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("entries", n);
    out.put("variant", "reused table; db url " + opt("db-url", "").replaceAll("^[^?]*", ""));
    try (DejaDatabase db = DejaDatabase.open(config); Connection c = connect()) {
      exec(c, "SET search_path = " + schema + ", public");
      Layout layout = load(null, set, n, "0".repeat(64));
      out.put("partitions", layout.describe());
      out.put("sizes_bytes", sizes(c));
      // As a server does at start: one index pass, so lookups know the partial indexes the
      // table already has (until then they assume the global index).
      ((PostgresCacheRepository) db.repository()).maintainIndexesNow();
      Map<String, Object> queries = queries(db.repository(), c, set, layout);
      queries.put("ef_search", DatabaseConfig.DEFAULT_HNSW_EF_SEARCH);
      out.put("queries", queries);
      efSweep(set, layout, config, c, out);
    }
    return out;
  }

  // --- data -----------------------------------------------------------------------------------

  /** Where the rows went: enough to pick realistic queries afterwards. */
  static final class Layout {
    final String modelId;
    final List<String[]> large = new ArrayList<>(); // {bucket, model}
    final List<Integer> largeRows = new ArrayList<>();
    final List<int[]> largeSamples = new ArrayList<>(); // base text of some rows, per partition
    final List<String[]> small = new ArrayList<>(); // {bucket, model, baseText}
    long smallRows;

    Layout(String modelId) {
      this.modelId = modelId;
    }

    Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      List<String> l = new ArrayList<>();
      for (int i = 0; i < large.size(); i++) {
        l.add(large.get(i)[1] + "/" + large.get(i)[0] + "=" + largeRows.get(i));
      }
      m.put("large", l);
      m.put("small_partitions", small.size());
      m.put("small_rows", smallRows);
      return m;
    }
  }

  private Layout load(Connection c, EmbeddingSet set, int n, String blob) throws Exception {
    int bases = set.texts().size() - heldOut(set);
    SplittableRandom rnd = new SplittableRandom(n);
    Layout layout = new Layout(set.modelId());
    int largeTotal = n / 2;
    int[][] samples = new int[MODELS.length * LARGE_BUCKETS.length][];
    int idx = 0;
    for (String model : MODELS) {
      for (int b = 0; b < LARGE_BUCKETS.length; b++) {
        layout.large.add(new String[] {LARGE_BUCKETS[b], model});
        layout.largeRows.add(0);
        samples[idx++] = new int[256];
      }
    }
    CopyIn copy = c == null ? null : c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
    Copier out = new Copier(copy);
    try {
      out.header();
      for (int i = 0; i < largeTotal; i++) {
        int model = rnd.nextInt(MODELS.length);
        double u = rnd.nextDouble();
        int b = u < LARGE_SHARES[0] ? 0 : u < LARGE_SHARES[0] + LARGE_SHARES[1] ? 1 : 2;
        int p = model * LARGE_BUCKETS.length + b;
        int text = rnd.nextInt(bases);
        int seen = layout.largeRows.get(p);
        if (seen < 256) {
          samples[p][seen] = text;
        } else if (rnd.nextInt(seen + 1) < 256) {
          samples[p][rnd.nextInt(256)] = text;
        }
        layout.largeRows.set(p, seen + 1);
        String bucket = LARGE_BUCKETS[b];
        out.row(i, set, text, MODELS[model], bucket, null, blob, rnd);
      }
      long row = largeTotal;
      while (row < n) {
        int rows = (int) Math.min(n - row, Math.min(20, 1 + (long) (-Math.log(1 - rnd.nextDouble()) * 4)));
        long seed = rnd.nextLong() >>> 1;
        String model = MODELS[rnd.nextInt(MODELS.length)];
        String bucket = "1024x1024_seed" + seed;
        int first = rnd.nextInt(bases);
        layout.small.add(new String[] {bucket, model, Integer.toString(first)});
        for (int r = 0; r < rows; r++) {
          // A small partition holds variations on one subject, like a user iterating on a prompt.
          int text = r == 0 ? first : rnd.nextInt(bases);
          out.row(row++, set, text, model, bucket, seed, blob, rnd);
        }
        layout.smallRows += rows;
      }
      out.trailer();
      out.flush();
      if (copy != null) {
        copy.endCopy();
      }
    } catch (Exception e) {
      if (copy != null && copy.isActive()) {
        copy.cancelCopy();
      }
      throw e;
    }
    for (int p = 0; p < samples.length; p++) {
      layout.largeSamples.add(java.util.Arrays.copyOf(samples[p],
          Math.min(256, layout.largeRows.get(p))));
    }
    return layout;
  }

  /** Binary COPY rows, streamed to the server in 4 MB pieces. */
  private static final class Copier {
    private final CopyIn copy;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(8 << 20);
    private final DataOutputStream out = new DataOutputStream(buffer);
    private final MessageDigest sha;

    Copier(CopyIn copy) throws Exception {
      this.copy = copy;
      this.sha = MessageDigest.getInstance("SHA-256");
    }

    void header() throws IOException {
      out.write("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1));
      out.writeInt(0);
      out.writeInt(0);
    }

    void row(long i, EmbeddingSet set, int text, String model, String bucket, Long seed,
        String blob, SplittableRandom rnd) throws Exception {
      String prompt = set.texts().get(text);
      out.writeShort(13);
      text(HexFormat.of().formatHex(sha.digest(("scale-" + i).getBytes(StandardCharsets.UTF_8))));
      text(prompt);
      text(prompt.toLowerCase(Locale.ROOT));
      text(model);
      int[] wh = bucket.startsWith("256x256") ? new int[] {256, 256}
          : bucket.startsWith("1344x768") ? new int[] {1344, 768} : new int[] {1024, 1024};
      out.writeInt(4);
      out.writeInt(wh[0]);
      out.writeInt(4);
      out.writeInt(wh[1]);
      if (seed == null) {
        out.writeInt(-1);
      } else {
        out.writeInt(8);
        out.writeLong(seed);
      }
      text(bucket);
      float[] v = noisy(set.vectors()[text], rnd);
      out.writeInt(4 + 4 * v.length);
      out.writeShort(v.length);
      out.writeShort(0);
      for (float f : v) {
        out.writeFloat(f);
      }
      text(set.modelId());
      out.writeInt(4);
      out.writeInt(200);
      text("image/png");
      text(blob);
      if (buffer.size() > (4 << 20)) {
        flush();
      }
    }

    void trailer() throws IOException {
      out.writeShort(-1);
    }

    void flush() throws Exception {
      out.flush();
      if (copy != null) {
        copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
      }
      buffer.reset();
    }

    private void text(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
    }
  }

  static float[] noisy(float[] base, SplittableRandom rnd) {
    float[] v = new float[base.length];
    double norm = 0;
    for (int d = 0; d < v.length; d++) {
      v[d] = (float) (base[d] + gaussian(rnd) * NOISE);
      norm += v[d] * v[d];
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int d = 0; d < v.length; d++) {
      v[d] *= inv;
    }
    return v;
  }

  private static double gaussian(SplittableRandom rnd) {
    double u = 1 - rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  private static String insertBlob(Connection c) throws Exception {
    byte[] image = BenchImages.pad(DemoOriginServlet.render("scale", 128, 128),
        BenchImages.DEFAULT_IMAGE_BYTES);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO image_blob (sha256, bytes,"
        + " byte_size, content_type) VALUES (?, ?, ?, 'image/png')")) {
      ps.setString(1, sha);
      ps.setBytes(2, image);
      ps.setLong(3, image.length);
      ps.execute();
    }
    return sha;
  }

  // --- measurement ----------------------------------------------------------------------------

  private Map<String, Object> queries(CacheStore repo, Connection c, EmbeddingSet set,
      Layout layout) throws SQLException {
    int q = Integer.parseInt(opt("queries", "300"));
    com.pgvector.PGvector.registerTypes(c);
    exec(c, "SET enable_seqscan = off");
    // JIT compiling the scan costs ~350 ms per ground-truth query at 12k rows: off here.
    exec(c, "SET jit = off");
    int k = k();
    SplittableRandom rnd = new SplittableRandom(42);
    int heldOut = heldOut(set);
    int heldOutFrom = set.texts().size() - heldOut;
    Map<String, Object> out = new LinkedHashMap<>();
    for (String kind : List.of("large-near", "large-new", "small-near")) {
      Histogram latency = new Histogram(60_000_000L, 3);
      double recallSum = 0;
      double recallMin = 1;
      int perfect = 0;
      int hnswPath = 0;
      int measured = 0;
      int servableFound = 0;
      int servableTrue = 0;
      for (int i = -Math.min(30, q / 4); i < q; i++) {
        String bucket;
        String model;
        float[] query;
        long partitionRows;
        if (kind.startsWith("large")) {
          int p = pickLarge(layout, rnd);
          bucket = layout.large.get(p)[0];
          model = layout.large.get(p)[1];
          partitionRows = layout.largeRows.get(p);
          int[] sample = layout.largeSamples.get(p);
          query = kind.equals("large-near")
              ? noisy(set.vectors()[sample[rnd.nextInt(sample.length)]], rnd)
              : set.vectors()[heldOutFrom + rnd.nextInt(heldOut)];
        } else {
          String[] s = layout.small.get(rnd.nextInt(layout.small.size()));
          bucket = s[0];
          model = s[1];
          partitionRows = 20;
          query = noisy(set.vectors()[Integer.parseInt(s[2])], rnd);
        }
        long t0 = System.nanoTime();
        List<Neighbor> found = repo.findNearest(bucket, model, layout.modelId, query, k);
        long micros = (System.nanoTime() - t0) / 1000;
        if (i < 0) {
          continue;
        }
        latency.recordValue(Math.min(micros, 60_000_000L));
        List<Neighbor> truth = truth(c, bucket, model, layout.modelId, query, k);
        double recall = recall(found, truth);
        int[] servable = servable(found, truth);
        servableFound += servable[0];
        servableTrue += servable[1];
        recallSum += recall;
        recallMin = Math.min(recallMin, recall);
        perfect += recall >= 1 ? 1 : 0;
        hnswPath += dev.deja.db.internal.PostgresCacheRepository.usesHnsw(partitionRows) ? 1 : 0;
        measured++;
      }
      Map<String, Object> m = Results.percentiles(latency);
      m.put("recall_mean", round4(recallSum / measured));
      m.put("recall_min", round4(recallMin));
      m.put("queries_all_k_found", perfect);
      // Only neighbours at or above the default threshold can be served: the recall that can
      // change a decision.
      m.put("servable_neighbours", servableTrue);
      m.put("recall_servable", servableTrue == 0 ? 1.0
          : round4((double) servableFound / servableTrue));
      m.put("hnsw_path_share", round4((double) hnswPath / measured));
      out.put(kind, m);
      log("%s: p50 %.2f ms p99 %.2f ms recall %.4f (min %.2f, hnsw %d/%d), servable %d/%d",
          kind, latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
          recallSum / measured, recallMin, hnswPath, measured, servableFound, servableTrue);
    }
    return out;
  }

  /** Texts kept out of the table, for queries whose prompt is new. */
  static int heldOut(EmbeddingSet set) {
    return Math.min(MAX_HELD_OUT, set.texts().size() / 5);
  }

  private static int pickLarge(Layout layout, SplittableRandom rnd) {
    long total = layout.largeRows.stream().mapToLong(Integer::longValue).sum();
    long x = (long) (rnd.nextDouble() * total);
    for (int p = 0; p < layout.largeRows.size(); p++) {
      x -= layout.largeRows.get(p);
      if (x < 0) {
        return p;
      }
    }
    return layout.largeRows.size() - 1;
  }

  /** The exact top k inside the partition (the ORDER BY expression keeps HNSW out). */
  private static List<Neighbor> truth(Connection c, String bucket, String model, String modelId,
      float[] query, int k) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(EXACT_TRUTH)) {
      ps.setObject(1, new com.pgvector.PGvector(query));
      ps.setString(2, bucket);
      ps.setString(3, model);
      ps.setString(4, modelId);
      ps.setInt(5, k);
      List<Neighbor> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Neighbor(rs.getString(1), null, rs.getDouble(2)));
        }
      }
      return out;
    }
  }

  /**
   * {found, true}: how many of the true top k at or above the default threshold ({@link
   * MatchPreset#DEFAULT}) were found; a found row as similar counts (ties).
   */
  static int[] servable(List<Neighbor> found, List<Neighbor> truth) {
    double threshold = MatchPreset.DEFAULT.threshold();
    int wanted = 0;
    int got = 0;
    for (Neighbor t : truth) {
      if (t.similarity() < threshold) {
        continue;
      }
      wanted++;
      boolean hit = false;
      for (Neighbor f : found) {
        hit |= f.cacheKey().equals(t.cacheKey()) || f.similarity() >= t.similarity() - 1e-6;
      }
      got += hit ? 1 : 0;
    }
    return new int[] {Math.min(got, wanted), wanted};
  }

  /** Share of the true top k found; a tie at the k-th similarity counts as found. */
  static double recall(List<Neighbor> found, List<Neighbor> truth) {
    if (truth.isEmpty()) {
      return 1;
    }
    double kth = truth.get(truth.size() - 1).similarity();
    java.util.Set<String> keys = new java.util.HashSet<>();
    truth.forEach(t -> keys.add(t.cacheKey()));
    int hits = 0;
    for (Neighbor f : found) {
      if (keys.contains(f.cacheKey()) || f.similarity() >= kth - 1e-6) {
        hits++;
      }
    }
    return Math.min(1.0, (double) hits / truth.size());
  }

  private static Map<String, Object> sizes(Connection c) throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT"
        + " pg_relation_size('cache_entry'), pg_indexes_size('cache_entry'),"
        + " pg_total_relation_size('cache_entry'),"
        + " coalesce(pg_relation_size(to_regclass('cache_entry_embedding_hnsw')), 0),"
        + " pg_relation_size('cache_entry_partition_idx'),"
        + " pg_relation_size(reltoastrelid), (SELECT coalesce(sum(size_bytes), 0)"
        + " FROM partition_indexes) FROM pg_class WHERE oid = 'cache_entry'::regclass")) {
      rs.next();
      m.put("table", rs.getLong(1));
      m.put("indexes", rs.getLong(2));
      m.put("total", rs.getLong(3));
      m.put("hnsw_index", rs.getLong(4));
      m.put("partition_index", rs.getLong(5));
      m.put("toast", rs.getLong(6));
      m.put("partial_hnsw_indexes", rs.getLong(7));
    }
    return m;
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(opt("db-url", null), opt("db-user", "postgres"),
        opt("db-password", ""));
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private int k() {
    return Integer.parseInt(opt("k", "3"));
  }

  private String opt(String key, String def) {
    return opts.getOrDefault(key, def);
  }

  private static double round(double s) {
    return Math.round(s * 100) / 100.0;
  }

  private static double round4(double x) {
    return Math.round(x * 10000) / 10000.0;
  }

  private static void log(String format, Object... args) {
    System.err.println(String.format(Locale.ROOT, format, args));
  }
}
