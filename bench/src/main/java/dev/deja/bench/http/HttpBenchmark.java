package dev.deja.bench.http;

import dev.deja.bench.EvalData;
import dev.deja.bench.Options;
import dev.deja.bench.http.LoadGenerator.Result;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP scenarios of issue #7 against already running targets (started by {@code
 * bench/scripts/run-benchmarks.sh}): exact hits (Deja, nginx proxy_cache, the in-memory ceiling),
 * semantic hits (first-time paraphrases over a populated cache), and misses (Deja against the
 * origin directly). Writes one JSON file per scenario into {@code --out}.
 *
 * <p>Options: {@code --deja-port --nginx-port --ceiling-port --origin-port --server-pid --out
 * --eval-dir (see {@link EvalData}) --db-url --db-schema --scenarios exact,semantic,miss --warmup s --measure s
 * --miss-measure s --connections 1,16,64 --exact-prompts n --semantic-bases n --label suffix
 * --delay-ms n --server-kind text --command text}.
 */
public final class HttpBenchmark {

  /** Query every bench request carries: a small picture renders fast at the origin. */
  static final String QUERY = "?width=256&height=256";
  /** Style phrasings that keep the subject: the paraphrases of a cached caption. */
  public static final String[] PREFIXES = {"", "a photo of ", "an image of ", "a picture of ",
      "photo of ", "a photograph of ", "image of ", "picture of "};
  public static final String[] SUFFIXES = {"", ", photo", ", photograph", ", high quality", ", hd",
      ", 4k", ", realistic", ", detailed", ", high resolution", ", sharp focus",
      ", professional photo", ", photorealistic", ", 35mm", ", natural light"};

  private final Map<String, String> opts;
  private final HttpClient admin = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private HttpBenchmark(Map<String, String> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = Options.parse(args);
    EvalData.exitIfMissing(() -> new HttpBenchmark(opts).runAll());
  }

  /** Runs the scenarios the options name; returns the result files written. */
  public static List<Path> run(Map<String, String> opts) throws Exception {
    return new HttpBenchmark(opts).runAll();
  }

  private List<Path> runAll() throws Exception {
    List<Path> files = new ArrayList<>();
    Corpus corpus = Corpus.load(EvalData.dir(opts.get("eval-dir")));
    for (String scenario : Options.text(opts, "scenarios", "exact,semantic,miss").split(",")) {
      Map<String, Object> result = switch (scenario.trim()) {
        case "exact" -> exact(corpus);
        case "semantic" -> semantic(corpus);
        case "miss" -> miss(corpus);
        default -> throw new IllegalArgumentException("unknown scenario " + scenario);
      };
      String name = "http-" + scenario.trim() + Options.text(opts, "label", "");
      result.put("rss_mib_after", rss());
      files.add(Results.write(Path.of(Options.text(opts, "out", "bench/results")), name, result));
      System.err.println("wrote " + files.get(files.size() - 1));
    }
    return files;
  }

  // --- scenarios ------------------------------------------------------------------------------

  private Map<String, Object> exact(Corpus corpus) throws Exception {
    List<String> paths = new ArrayList<>();
    for (String p : corpus.captions.subList(0, Options.integer(opts, "exact-prompts", 200))) {
      paths.add(path(p));
    }
    Map<String, Object> result = header("http-exact");
    setOriginDelay(0);
    Map<String, Integer> targets = targets("deja", "nginx", "ceiling");
    for (Map.Entry<String, Integer> t : targets.entrySet()) {
      if (!t.getKey().equals("ceiling")) {
        fill(t.getValue(), paths, t.getKey().equals("deja") ? "HIT/exact" : "HIT");
      } else {
        once(t.getValue(), paths, 8);
      }
    }
    setOriginDelay(delayMs());
    String pathsOut = Options.text(opts, "paths-out", "");
    if (!pathsOut.isEmpty()) {
      // The same cached paths for a second load generator (run-benchmarks.sh exact: wrk).
      java.nio.file.Files.write(java.nio.file.Path.of(pathsOut), paths);
    }
    List<Map<String, Object>> runs = new ArrayList<>();
    for (int connections : connections()) {
      for (Map.Entry<String, Integer> t : targets.entrySet()) {
        Result r = LoadGenerator.run(t.getValue(), connections, warmup(), measure(),
            Long.MAX_VALUE, () -> paths.get(ThreadLocalRandom.current().nextInt(paths.size())));
        runs.add(run(t.getKey(), r));
        Options.log("exact %s c=%d: %.0f req/s p50 %.2f ms p99 %.2f ms %s", t.getKey(), connections,
            r.requestsPerSecond(), r.total().getValueAtPercentile(50) / 1e3,
            r.total().getValueAtPercentile(99) / 1e3, r.classes());
      }
    }
    // What the reference servers were started with (run-benchmarks.sh exact BYTES).
    result.put("image_bytes",
        Options.integer(opts, "image-bytes", BenchImages.DEFAULT_IMAGE_BYTES));
    result.put("prompts", paths.size());
    result.put("runs", runs);
    return result;
  }

  private Map<String, Object> semantic(Corpus corpus) throws Exception {
    int exactPrompts = Options.integer(opts, "exact-prompts", 200);
    List<String> bases = corpus.captions.subList(exactPrompts,
        Math.min(corpus.captions.size(), exactPrompts + Options.integer(opts, "semantic-bases", 1000)));
    List<String> basePaths = bases.stream().map(HttpBenchmark::path).toList();
    int deja = Options.integer(opts, "deja-port", 0);
    setOriginDelay(0);
    fill(deja, basePaths, null);
    setOriginDelay(delayMs());
    List<String> paraphrases = paraphrases(bases, new HashSet<>(bases));
    AtomicInteger next = new AtomicInteger();
    LoadGenerator.Paths supply = () -> {
      int i = next.getAndIncrement();
      return i < paraphrases.size() ? path(paraphrases.get(i)) : null;
    };
    Map<String, Object> result = header("http-semantic");
    result.put("cached_bases", bases.size());
    result.put("paraphrases_available", paraphrases.size());
    result.put("entries_in_table", entriesInTable());
    List<Map<String, Object>> runs = new ArrayList<>();
    for (int connections : semanticConnections()) {
      Result r = LoadGenerator.run(deja, connections, warmup(), measure(), Long.MAX_VALUE, supply);
      Map<String, Object> run = run("deja", r);
      long semantic = r.classes().getOrDefault("HIT/semantic", 0L);
      run.put("semantic_hit_ratio", r.requests() == 0 ? 0 : (double) semantic / r.requests());
      runs.add(run);
      Options.log("semantic c=%d: %s; hits %s", connections, r.classes(),
          r.totalByClass().containsKey("HIT/semantic")
              ? Results.percentiles(r.totalByClass().get("HIT/semantic")) : "-");
    }
    result.put("paraphrases_used", Math.min(next.get(), paraphrases.size()));
    result.put("runs", runs);
    return result;
  }

  private Map<String, Object> miss(Corpus corpus) throws Exception {
    List<String> fresh = new ArrayList<>(corpus.sentences);
    Collections.shuffle(fresh, new Random(Instant.now().toEpochMilli()));
    int half = fresh.size() / 2;
    List<String> forOrigin = fresh.subList(0, half);
    List<String> forDeja = fresh.subList(half, fresh.size());
    setOriginDelay(delayMs());
    Map<String, Object> result = header("http-miss");
    List<Map<String, Object>> runs = new ArrayList<>();
    // Staggered starts: against a constant 1.5 s origin, lockstep waves would queue every
    // connection's embedding behind the others' and measure the wave, not the overhead.
    int connections = Options.integer(opts, "miss-connections", 8);
    double measure = Double.parseDouble(Options.text(opts, "miss-measure", "20"));
    // "deja": first-time prompts in one partition that already holds entries, so the semantic
    // step (embedding + search) runs before forwarding. "deja-fresh-seed": each request with a
    // seed never seen, i.e. an empty partition, as traffic with random seeds is.
    int half2 = forDeja.size() / 2;
    Map<String, List<String>> promptsOf = Map.of(
        "origin", forOrigin,
        "deja", forDeja.subList(0, half2),
        "deja-fresh-seed", forDeja.subList(half2, forDeja.size()));
    for (String target : List.of("origin", "deja", "deja-fresh-seed")) {
      List<String> prompts = promptsOf.get(target);
      boolean freshSeed = target.equals("deja-fresh-seed");
      int port = Options.integer(opts, target.startsWith("deja") ? "deja-port" : "origin-port", 0);
      AtomicInteger next = new AtomicInteger();
      Result r = LoadGenerator.run(port, connections, warmup(), measure,
          Long.MAX_VALUE, delayMs(), () -> {
            int i = next.getAndIncrement();
            if (i >= prompts.size()) {
              return null;
            }
            return path(prompts.get(i)) + (freshSeed ? "&seed=" + (900_000_000L + i) : "");
          });
      runs.add(run(target, r));
      Options.log("miss %s c=%d: %s p50 %.1f ms", target, connections, r.classes(),
          r.total().getValueAtPercentile(50) / 1e3);
    }
    result.put("stagger_ms", delayMs());
    result.put("runs", runs);
    return result;
  }

  // --- helpers --------------------------------------------------------------------------------

  /**
   * Paraphrases of the cached captions: subject kept, a photo-style prefix and/or suffix added.
   * Distinct after lowercasing and dropping punctuation, and never a cached caption itself, so
   * every one is a first-time request (an exact hit through an earlier alias is impossible).
   */
  static List<String> paraphrases(List<String> bases, Set<String> exclude) {
    Set<String> seen = new HashSet<>();
    for (String e : exclude) {
      seen.add(loose(e));
    }
    List<List<String>> perBase = new ArrayList<>();
    for (String base : bases) {
      String core = base.strip().replaceAll("[.\\s]+$", "");
      String lowered = core.isEmpty() ? core
          : Character.toLowerCase(core.charAt(0)) + core.substring(1);
      List<String> variants = new ArrayList<>();
      for (String prefix : PREFIXES) {
        for (String suffix : SUFFIXES) {
          String v = (prefix.isEmpty() ? core : prefix + lowered) + suffix;
          if (seen.add(loose(v))) {
            variants.add(v);
          }
        }
      }
      Collections.shuffle(variants, new Random(base.hashCode()));
      perBase.add(variants);
    }
    // Round robin over the bases: consecutive requests hit different cached entries.
    List<String> out = new ArrayList<>();
    for (int round = 0; ; round++) {
      boolean any = false;
      for (List<String> v : perBase) {
        if (round < v.size()) {
          out.add(v.get(round));
          any = true;
        }
      }
      if (!any) {
        return out;
      }
    }
  }

  private static String loose(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 ]", " ").replaceAll("\\s+", " ").trim();
  }

  /** {@code /prompt/<encoded prompt>?width=256&height=256}: every bench request's shape. */
  public static String path(String prompt) {
    return "/prompt/" + URLEncoder.encode(prompt, StandardCharsets.UTF_8).replace("+", "%20")
        + QUERY;
  }

  /** Requests every path once (a few at a time) and then until all answer {@code expect}. */
  static void fill(int port, List<String> paths, String expect) throws Exception {
    once(port, paths, 8);
    if (expect == null) {
      // Misses are stored in the background: the second pass waits for them to land.
      Thread.sleep(2000);
      return;
    }
    for (int attempt = 0; attempt < 20; attempt++) {
      Result r = once(port, paths, 8);
      if (r.classes().getOrDefault(expect, 0L) == paths.size()) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("port " + port + " did not answer " + expect
        + " for all " + paths.size() + " filled paths");
  }

  private static Result once(int port, List<String> paths, int connections) throws Exception {
    AtomicInteger next = new AtomicInteger();
    return LoadGenerator.run(port, connections, 0, 600, paths.size(), () -> {
      int i = next.getAndIncrement();
      return i < paths.size() ? paths.get(i) : null;
    });
  }

  /** One measurement window as it goes into a result file. */
  static Map<String, Object> run(String target, Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", target);
    m.put("connections", r.connections());
    m.put("seconds", Math.round(r.seconds() * 100) / 100.0);
    m.put("requests", r.requests());
    m.put("errors", r.errors());
    m.put("rps", Math.round(r.requestsPerSecond() * 10) / 10.0);
    m.put("latency", Results.percentiles(r.total()));
    m.put("ttfb", Results.percentiles(r.ttfb()));
    m.put("classes", r.classes());
    Map<String, Object> byClass = new LinkedHashMap<>();
    r.totalByClass().forEach((k, v) -> byClass.put(k, Results.percentiles(v)));
    m.put("latency_by_class", byClass);
    Map<String, Object> timings = new LinkedHashMap<>();
    r.timings().forEach((k, v) -> timings.put(k, Results.percentiles(v)));
    m.put("server_timing", timings);
    return m;
  }

  private Map<String, Object> header(String scenario) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scenario", scenario);
    m.put("date", Instant.now().toString());
    m.put("machine", Results.machine());
    m.put("command", Options.text(opts, "command", ""));
    m.put("server", Options.text(opts, "server-kind", "deja"));
    m.put("warmup_s", warmup());
    m.put("measure_s", measure());
    m.put("origin_delay_ms", delayMs());
    return m;
  }

  private Map<String, Integer> targets(String... names) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (String n : names) {
      int port = Options.integer(opts, n + "-port", 0);
      if (port > 0) {
        m.put(n, port);
      }
    }
    return m;
  }

  private void setOriginDelay(long ms) throws Exception {
    HttpResponse<String> r = admin.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + Options.integer(opts, "origin-port", 0) + "/_origin/delay?ms=" + ms)).POST(
            HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("origin delay not set: " + r.statusCode());
    }
  }

  private long entriesInTable() {
    String url = opts.get("db-url");
    if (url == null) {
      return -1;
    }
    try (Connection c = DriverManager.getConnection(url, Options.text(opts, "db-user", "postgres"),
            Options.text(opts, "db-password", ""));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + Options.text(opts, "db-schema", "deja")
            + ".cache_entry")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      System.err.println("could not count entries: " + e.getMessage());
      return -1;
    }
  }

  private double rss() {
    long pid = Long.parseLong(Options.text(opts, "server-pid", "-1"));
    return pid > 0 ? Results.rssMib(pid) : -1;
  }

  private int[] connections() {
    return java.util.Arrays.stream(Options.text(opts, "connections", "1,16,64").split(","))
        .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
  }

  private int[] semanticConnections() {
    return java.util.Arrays.stream(Options.text(opts, "semantic-connections", "1,16").split(","))
        .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
  }

  private double warmup() {
    return Double.parseDouble(Options.text(opts, "warmup", "3"));
  }

  private double measure() {
    return Double.parseDouble(Options.text(opts, "measure", "10"));
  }

  private long delayMs() {
    return Long.parseLong(Options.text(opts, "delay-ms", "1500"));
  }




  /** Real prompts: one COCO caption per image, and distinct PAWS sentences (for misses). */
  public record Corpus(List<String> captions, List<String> sentences) {

    public static Corpus load(Path evalDir) throws IOException {
      Set<String> images = new HashSet<>();
      Set<String> captions = new LinkedHashSet<>();
      for (String line : Files.readAllLines(evalDir.resolve("coco_captions_val2017_flat.tsv"))) {
        String[] f = line.split("\t");
        if (f.length == 3 && !f[0].equals("image_id") && !f[2].matches(".*[/\\\\;%].*")
            && images.add(f[0])) {
          captions.add(f[2].strip());
        }
      }
      Set<String> sentences = new LinkedHashSet<>();
      for (String line : Files.readAllLines(evalDir.resolve("paws_wiki_final_dev.tsv"))) {
        String[] f = line.split("\t");
        // Jetty refuses encoded separators and path parameters (400): leave those out.
        if (f.length >= 2 && !f[0].equals("id") && f[1].length() < 300
            && !f[1].matches(".*[/\\\\;%].*")) {
          sentences.add(f[1].strip());
        }
      }
      return new Corpus(new ArrayList<>(captions), new ArrayList<>(sentences));
    }
  }
}
