package dev.deja.bench.http;

import dev.deja.bench.Options;
import dev.deja.bench.http.LoadGenerator.Result;
import dev.deja.bench.report.Report;
import dev.deja.db.DatabaseConfig;
import dev.deja.db.DejaDatabase;
import dev.deja.db.NewEntry;
import dev.deja.db.Sha256;
import dev.deja.db.StoredRequest;
import dev.deja.filter.demo.DemoOriginServlet;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Images in PostgreSQL ({@code bytea}) against images in an S3 object store (issue #13): exact-hit
 * throughput and latency through the real {@link dev.deja.filter.DejaFilter} in Jetty ({@link
 * StandInServer}), per image size, per backend, from the in-memory hot tier and cold (hot tier
 * off, so every hit reads PostgreSQL or the object store); then the PostgreSQL footprint
 * (cache_entry and image_blob: heap, TOAST, indexes) of the same entries in both backends.
 *
 * <p>Each (size, backend) gets a fresh schema (and bucket): {@code --keys} distinct prompts are
 * requested once through the filter (misses the bench origin answers at once, stored in the
 * background), then hit at random by {@code --connections} keep-alive connections for {@code
 * --warmup} + {@code --measure} seconds, first with a hot tier holding every image, then by a new
 * filter on the same schema with {@code hotCacheBytes=0}. The footprint entries go through {@link
 * dev.deja.db.CacheStore#store} (the call the filter's store writer makes), each with its own
 * incompressible image and a 384-dimension embedding, as a semantic deployment stores them.
 *
 * <p>Options: {@code --db-url --db-user --db-password} (default {@code DEJA_DB_URL},
 * {@code DEJA_DB_USER}, {@code DEJA_DB_PASSWORD}) {@code --sizes 102400,1048576 --backends
 * postgres,s3 --tiers hot,cold --keys 200 --connections 16 --warmup 3 --first-warmup 10
 * --measure 15 --reference 5} (seconds of the object store read alone, for reference) {@code
 * --footprint-entries 10000 --footprint-bytes 102400 --s3-endpoint URL} (else S3Mock is started
 * from {@code --s3mock-jar}, default the system property {@code deja.s3mock.jar} or {@code
 * bench/target/s3mock/s3mock.jar}) {@code --schema-prefix bench_img_ --out bench/results --label
 * suffix --doc docs/BENCHMARKS.md} (renders the "Image storage" section) {@code --command text}.
 */
public final class ImageStorageBenchmark {

  /** Every schema this benchmark makes starts so ({@code --schema-prefix}); dropped after use. */
  static final String SCHEMA_PREFIX = "bench_img_";
  /** How it is run (docs/BENCHMARKS.md), recorded with the arguments in each result file. */
  static final String COMMAND = "mvn -B -q -pl bench -am compile exec:java -Dexec.skip"
      + " -Dexec.mainClass=" + ImageStorageBenchmark.class.getName();
  /** The bundled model's dimension: what a semantic deployment stores per entry. */
  static final int EMBEDDING_DIMENSION = 384;
  private static final String FOOTPRINT_MODEL_ID = "bench-footprint";

  private final Map<String, String> opts;
  private final List<Map<String, Object>> references = new ArrayList<>();
  private int cells;
  private S3Endpoint s3;

  private ImageStorageBenchmark(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = Options.parse(args);
    opts.putIfAbsent("command", COMMAND + " -Dexec.args=\"" + String.join(" ", args) + "\"");
    run(opts);
    // The filter's and the SDK's pools hold non-daemon threads that outlive their close.
    System.exit(0);
  }

  /** Runs every cell and the footprint; returns the result file written. */
  public static Path run(Map<String, String> opts) throws Exception {
    return new ImageStorageBenchmark(opts).runAll();
  }

  private Path runAll() throws Exception {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("scenario", "image-storage");
    result.put("date", Instant.now().toString());
    result.put("machine", Results.machine());
    result.put("command", Options.text(opts, "command", ""));
    result.put("warmup_s", warmup());
    result.put("first_warmup_s", Math.max(warmup(), firstWarmup()));
    result.put("measure_s", measure());
    result.put("connections", Options.integer(opts, "connections", 16));
    result.put("keys", Options.integer(opts, "keys", 200));
    result.put("pool_size", DatabaseConfig.DEFAULT_MAX_POOL_SIZE);
    result.put("lookup_timeout_ms", DatabaseConfig.DEFAULT_LOOKUP_TIMEOUT.toMillis());
    List<String> backends = list("backends", "postgres,s3");
    long started = System.nanoTime();
    try (S3Endpoint endpoint = backends.contains("s3") ? s3() : null) {
      s3 = endpoint;
      result.put("object_store", endpoint == null ? "-" : endpoint.kind());
      List<Map<String, Object>> runs = new ArrayList<>();
      for (String size : list("sizes", "102400,1048576")) {
        int bytes = Integer.parseInt(size);
        try (ReferenceServers refs = ReferenceServers.start(0, 0, 0, bytes)) {
          for (String backend : backends) {
            runs.addAll(cells(refs.originPort(), bytes, backend));
          }
        }
      }
      result.put("runs", runs);
      result.put("s3_alone", references);
      int entries = Options.integer(opts, "footprint-entries", 10_000);
      if (entries > 0) {
        List<Map<String, Object>> footprints = new ArrayList<>();
        for (String backend : backends) {
          footprints.add(footprint(backend, entries, Options.integer(opts, "footprint-bytes", 100 * 1024)));
        }
        result.put("footprint", footprints);
      }
      result.put("s3mock_rss_mib_after", endpoint == null || endpoint.pid() < 0 ? -1
          : Results.rssMib(endpoint.pid()));
    }
    result.put("rss_mib_after", Results.rssMib(ProcessHandle.current().pid()));
    result.put("wall_s", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
    Path out = Path.of(Options.text(opts, "out", "bench/results"));
    Path file = Results.write(out, "image-storage" + Options.text(opts, "label", ""), result);
    Options.log("wrote %s", file);
    System.out.print(table(result));
    if (opts.containsKey("doc")) {
      Report.renderImageStorage(out, Path.of(opts.get("doc")));
      Options.log("rendered the Image storage section of %s", opts.get("doc"));
    }
    return file;
  }

  // --- throughput -----------------------------------------------------------------------------

  /** Fills a fresh schema with {@code --keys} images of {@code bytes} and measures each tier. */
  private List<Map<String, Object>> cells(int originPort, int bytes, String backend)
      throws Exception {
    String schema = schemaPrefix() + backend + "_" + bytes;
    dropSchema(schema);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("db.url", dbUrl());
    settings.put("db.user", dbUser());
    settings.put("db.password", dbPassword());
    settings.put("db.schema", schema);
    // Exact hits never touch the model: leave it unloaded (and the fill unembedded).
    settings.put("semantic", "false");
    settings.put("maxBodyBytes", Integer.toString(Math.max(bytes * 2, 1 << 20)));
    if (backend.equals("s3")) {
      settings.put("db.image-store", "s3://" + s3.newBucket("deja-bench-" + bytes) + "/images");
      settings.put("db.s3-endpoint", s3.uri().toString());
    } else if (!backend.equals("postgres")) {
      throw new IllegalArgumentException("unknown backend " + backend + ": postgres or s3");
    }
    int keys = Options.integer(opts, "keys", 200);
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      paths.add(HttpBenchmark.path("image storage bench " + bytes + " " + backend + " " + i));
    }
    String origin = "http://127.0.0.1:" + originPort;
    List<Map<String, Object>> runs = new ArrayList<>();
    List<String> tiers = list("tiers", "hot,cold");
    long hotBytes = Math.max(64L << 20, 2L * keys * (bytes + 1024));
    try {
      settings.put("hotCacheBytes", Long.toString(hotBytes));
      try (StandInServer deja = StandInServer.start(0, origin, settings)) {
        HttpBenchmark.fill(deja.port(), paths, "HIT/exact");
        awaitRows(schema, keys);
        if (tiers.contains("hot")) {
          runs.add(cell(deja.port(), bytes, backend, "hot", paths));
        }
      }
      if (backend.equals("s3") && referenceSeconds() > 0) {
        // What the store itself gives the same number of callers, without Deja in the way.
        // One caller too: whether the store serves callers in parallel at all.
        for (int threads : new int[] {1, Options.integer(opts, "connections", 16)}) {
          Map<String, Object> ref = new LinkedHashMap<>();
          ref.put("image_bytes", bytes);
          ref.putAll(s3.readLoop(bucket(settings), threads, warmup(), referenceSeconds()));
          references.add(ref);
          Options.log("s3 alone %d B: %s", bytes, ref);
        }
      }
      if (tiers.contains("cold")) {
        settings.put("hotCacheBytes", "0");
        try (StandInServer deja = StandInServer.start(0, origin, settings)) {
          runs.add(cell(deja.port(), bytes, backend, "cold", paths));
        }
      }
    } finally {
      if (!Boolean.parseBoolean(Options.text(opts, "keep", "false"))) {
        dropSchema(schema);
      }
    }
    return runs;
  }

  private static String bucket(Map<String, String> settings) {
    return URI.create(settings.get("db.image-store")).getHost();
  }

  private Map<String, Object> cell(int port, int bytes, String backend, String tier,
      List<String> paths) throws InterruptedException {
    // The first cell also warms the JIT up for every later one (same filter code): give it longer.
    double warmup = cells++ == 0 ? Math.max(warmup(), firstWarmup()) : warmup();
    Result r = LoadGenerator.run(port, Options.integer(opts, "connections", 16), warmup, measure(),
        Long.MAX_VALUE, () -> paths.get(ThreadLocalRandom.current().nextInt(paths.size())));
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("backend", backend);
    run.put("image_bytes", bytes);
    run.put("tier", tier);
    run.putAll(HttpBenchmark.run(backend + "/" + tier, r));
    Options.log("%s %d B %s c=%d: %.0f req/s p50 %.2f ms p99 %.2f ms %s", backend, bytes, tier,
        r.connections(), r.requestsPerSecond(), r.total().getValueAtPercentile(50) / 1e3,
        r.total().getValueAtPercentile(99) / 1e3, r.classes());
    return run;
  }

  /** Stores land in the background: the cold filter must find every entry in the database. */
  private void awaitRows(String schema, int keys) throws Exception {
    long rows = -1;
    for (int attempt = 0; attempt < 120; attempt++) {
      rows = count(schema + ".cache_entry");
      if (rows >= keys) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(schema + ".cache_entry holds " + rows + " rows of " + keys
        + " filled after 30 s");
  }

  // --- footprint ------------------------------------------------------------------------------

  /**
   * Stores {@code entries} entries of {@code bytes}-byte images through the repository and
   * measures the two tables: heap, TOAST (with its index), indexes, total.
   */
  private Map<String, Object> footprint(String backend, int entries, int bytes) throws Exception {
    String schema = schemaPrefix() + "footprint_" + backend;
    dropSchema(schema);
    DatabaseConfig.Builder config = DatabaseConfig.builder().url(dbUrl()).user(dbUser())
        .password(dbPassword()).schema(schema).embeddingDimension(EMBEDDING_DIMENSION);
    String bucket = null;
    if (backend.equals("s3")) {
      bucket = s3.newBucket("deja-bench-footprint");
      config.imageStore("s3://" + bucket + "/images").s3Endpoint(s3.uri().toString());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("backend", backend);
    out.put("entries", entries);
    out.put("image_bytes", bytes);
    long t0 = System.nanoTime();
    try (DejaDatabase db = DejaDatabase.open(config.build())) {
      AtomicInteger next = new AtomicInteger();
      int threads = Options.integer(opts, "footprint-threads", 4);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          done.add(pool.submit(() -> {
            for (int i = next.getAndIncrement(); i < entries; i = next.getAndIncrement()) {
              store(db, backend, i, bytes);
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      out.put("store_s", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
      out.put("placement", db.repository().imagePlacement());
    }
    try (Connection c = connect()) {
      out.put("cache_entry", sizes(c, schema + ".cache_entry"));
      out.put("image_blob", sizes(c, schema + ".image_blob"));
    }
    if (bucket != null) {
      long[] usage = s3.usage(bucket);
      out.put("objects", usage[0]);
      out.put("object_bytes", usage[1]);
    }
    Options.log("footprint %s: %s", backend, out);
    if (!Boolean.parseBoolean(Options.text(opts, "keep", "false"))) {
      dropSchema(schema);
    }
    return out;
  }

  private static void store(DejaDatabase db, String backend, int i, int bytes) {
    String prompt = "image storage footprint " + backend + " " + i;
    byte[] png = BenchImages.pad(DemoOriginServlet.render(prompt, BenchImages.RENDER_SIDE,
        BenchImages.RENDER_SIDE), bytes);
    float[] vector = new float[EMBEDDING_DIMENSION];
    SplittableRandom random = new SplittableRandom(i);
    double norm = 0;
    for (int d = 0; d < vector.length; d++) {
      vector[d] = (float) random.nextGaussian();
      norm += vector[d] * vector[d];
    }
    for (int d = 0; d < vector.length; d++) {
      vector[d] /= (float) Math.sqrt(norm);
    }
    StoredRequest request = new StoredRequest(prompt, prompt, "bench", 1024, 1024, null, null,
        null, null, Map.of(), "1024x1024_unseeded");
    db.repository().store(new NewEntry(Sha256.hex(prompt),
        request, vector, FOOTPRINT_MODEL_ID, 200, "image/png", Map.of(), null), png, false);
  }

  private static Map<String, Object> sizes(Connection c, String table) throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_relation_size(oid), CASE WHEN reltoastrelid = 0"
            + " THEN 0 ELSE pg_total_relation_size(reltoastrelid) END, pg_indexes_size(oid),"
            + " pg_total_relation_size(oid) FROM pg_class WHERE oid = '" + table + "'::regclass")) {
      rs.next();
      m.put("heap", rs.getLong(1));
      m.put("toast", rs.getLong(2));
      m.put("indexes", rs.getLong(3));
      m.put("total", rs.getLong(4));
    }
    return m;
  }

  // --- output ---------------------------------------------------------------------------------

  /** The measured numbers as plain text, for the terminal. */
  static String table(Map<String, Object> result) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "%nimage storage: %s connections, %s s measured per cell, %s keys%n"
            + "%-9s %-9s %-5s %10s %8s %8s %8s  %s%n", result.get("connections"),
        result.get("measure_s"), result.get("keys"), "backend", "image", "tier", "req/s",
        "p50 ms", "p99 ms", "MB/s", "answers"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> runs = (List<Map<String, Object>>) result.get("runs");
    for (Map<String, Object> r : runs) {
      @SuppressWarnings("unchecked")
      Map<String, Object> latency = (Map<String, Object>) r.get("latency");
      double rps = ((Number) r.get("rps")).doubleValue();
      int bytes = (Integer) r.get("image_bytes");
      s.append(String.format(Locale.ROOT, "%-9s %-9s %-5s %10.0f %8.2f %8.2f %8.0f  %s%n",
          r.get("backend"), bytes >= 1 << 20 ? bytes / (1 << 20) + " MiB" : bytes / 1024 + " KiB",
          r.get("tier"), rps, latency.get("p50_ms"), latency.get("p99_ms"),
          rps * bytes / 1e6, r.get("classes")));
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> alone =
        (List<Map<String, Object>>) result.getOrDefault("s3_alone", List.of());
    for (Map<String, Object> r : alone) {
      @SuppressWarnings("unchecked")
      Map<String, Object> latency = (Map<String, Object>) r.get("latency");
      int bytes = (Integer) r.get("image_bytes");
      s.append(String.format(Locale.ROOT, "%-9s %-9s %-5s %10.0f %8.2f %8.2f %8.0f  %s%n",
          "s3 alone", bytes >= 1 << 20 ? bytes / (1 << 20) + " MiB" : bytes / 1024 + " KiB",
          "-", ((Number) r.get("rps")).doubleValue(), latency.get("p50_ms"),
          latency.get("p99_ms"), ((Number) r.get("rps")).doubleValue() * bytes / 1e6,
          "GetObject through the SDK, " + r.get("threads") + " threads, errors " + r.get("errors")
              + ", S3Mock CPU ms/read " + r.getOrDefault("s3mock_cpu_ms_per_read", "-")));
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> footprints =
        (List<Map<String, Object>>) result.getOrDefault("footprint", List.of());
    if (!footprints.isEmpty()) {
      s.append(String.format(Locale.ROOT, "%n%-9s %8s %14s %14s %14s %14s%n", "backend",
          "entries", "entry MiB", "blob MiB", "total MiB", "MiB per 10k"));
    }
    for (Map<String, Object> f : footprints) {
      @SuppressWarnings("unchecked")
      long entry = ((Number) ((Map<String, Object>) f.get("cache_entry")).get("total")).longValue();
      @SuppressWarnings("unchecked")
      long blob = ((Number) ((Map<String, Object>) f.get("image_blob")).get("total")).longValue();
      int entries = (Integer) f.get("entries");
      s.append(String.format(Locale.ROOT, "%-9s %8d %14.1f %14.1f %14.1f %14.1f%n",
          f.get("backend"), entries, entry / 1048576.0, blob / 1048576.0,
          (entry + blob) / 1048576.0, (entry + blob) / 1048576.0 * 10_000 / entries));
    }
    return s.toString();
  }

  // --- helpers --------------------------------------------------------------------------------

  private S3Endpoint s3() throws Exception {
    if (opts.containsKey("s3-endpoint")) {
      return S3Endpoint.external(URI.create(opts.get("s3-endpoint")));
    }
    String jar = opts.getOrDefault("s3mock-jar",
        System.getProperty("deja.s3mock.jar", "bench/target/s3mock/s3mock.jar"));
    Options.log("starting S3Mock from %s", jar);
    return S3Endpoint.startMock(Path.of(jar));
  }

  private long count(String table) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void dropSchema(String schema) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(dbUrl(), dbUser(), dbPassword());
  }

  private String dbUrl() {
    String url = opts.getOrDefault("db-url", System.getenv("DEJA_DB_URL"));
    if (url == null) {
      throw new IllegalArgumentException("no database: --db-url or DEJA_DB_URL");
    }
    return url;
  }

  private String dbUser() {
    return opts.getOrDefault("db-user", envOr("DEJA_DB_USER", "postgres"));
  }

  private String dbPassword() {
    return opts.getOrDefault("db-password", envOr("DEJA_DB_PASSWORD", ""));
  }

  private static String envOr(String name, String def) {
    String v = System.getenv(name);
    return v == null ? def : v;
  }

  private List<String> list(String key, String def) {
    return List.of(Options.text(opts, key, def).split(",")).stream().map(String::trim)
        .filter(s -> !s.isEmpty()).toList();
  }

  private double warmup() {
    return Double.parseDouble(Options.text(opts, "warmup", "3"));
  }

  private String schemaPrefix() {
    return Options.text(opts, "schema-prefix", SCHEMA_PREFIX);
  }

  private double firstWarmup() {
    return Double.parseDouble(Options.text(opts, "first-warmup", "10"));
  }

  private double referenceSeconds() {
    return Double.parseDouble(Options.text(opts, "reference", "5"));
  }

  private double measure() {
    return Double.parseDouble(Options.text(opts, "measure", "15"));
  }



}
