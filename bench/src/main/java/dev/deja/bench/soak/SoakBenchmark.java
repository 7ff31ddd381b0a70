package dev.deja.bench.soak;

import dev.deja.bench.EvalData;
import dev.deja.bench.http.HttpBenchmark;
import dev.deja.bench.http.HttpWire;
import dev.deja.bench.http.Results;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The soak (issue #11): mixed traffic against a running Deja gateway for a fixed time, while its
 * memory is sampled, then a check that nothing stays in flight once the traffic stops.
 *
 * <p>Traffic: {@code clients} mixed clients paced to {@code rate} requests/s in total, each
 * request drawn from: an exact repeat of a prompt already answered (60 %), a paraphrase of one
 * (semantic candidate, 15 %), a first-time prompt (miss, 18 %), a large image (15 MiB, see {@link
 * SoakOrigin#bytesFor}) read partly and then dropped, half already cached, half first-time (4 %),
 * and a first-time prompt with a fresh seed (an empty partition, 3 %). Besides, {@code
 * burst-clients} clients send one first-time prompt all at once every {@code burst-every} seconds
 * (identical concurrent misses: single-flight).
 *
 * <p>Every {@code sample} seconds: the gateway's RSS ({@code /proc/PID/status}), heap used and
 * committed ({@code jvm_memory_*} from {@code /_deja/metrics} when the server exports them, else
 * {@code jstat -gc}), its {@code deja_*} meters, and the clients' answers. Writes {@code
 * <date>-soak-<label>.csv} and {@code .json} into {@code --out} and {@code plots/soak-<label>.png},
 * prints a summary; {@link #run} returns false when the gateway died or single-flight did not
 * drain to 0 within {@code drain} seconds after the load.
 *
 * <p>Options: {@code --deja-port --server-pid --origin-port --duration 30m --clients 32 --rate 20
 * --burst-clients 6 --burst-every 2 --abort-percent 4 (0-7; the rest of the 7 % go to fresh
 * seeds) --sample 10 --drain 10 --out bench/results --label 30m
 * --eval-dir DIR (see {@link EvalData}) --admin-prefix /_deja --server-kind text --command text}.
 */
public final class SoakBenchmark {

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})?\\s+(\\S+)");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final int READ_TIMEOUT_MS = 60_000;
  static final String[] CSV_COLUMNS = {"t_s", "phase", "alive", "rss_mib", "heap_used_mib",
      "heap_committed_mib", "heap_source", "young_gcs", "full_gcs", "client_rps", "client_ok",
      "client_errors", "client_aborts", "hit_exact_rps", "hit_semantic_rps", "hit_collapsed_rps",
      "miss_rps", "bypass_rps", "inflight", "store_queue", "store_completed", "store_failed",
      "store_dropped", "hot_entries", "breaker_open", "cache_entries", "cache_mib",
      "origin_calls"};

  private final Map<String, String> opts;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final int dejaPort;
  private final long pid;
  private final Prompts prompts;
  /** Client outcomes: cache class ({@code HIT/exact}, {@code status-503}, ...) or error kind. */
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final LongAdder answered = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder aborts = new LongAdder();
  private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
  private volatile boolean stop;
  private long inflightAfterClients = -1;
  private volatile long pacerNext;
  private final long pacerInterval;

  private SoakBenchmark(Map<String, String> opts) throws IOException {
    this.opts = opts;
    this.dejaPort = intOpt("deja-port", 0);
    this.pid = Long.parseLong(opt("server-pid", "-1"));
    HttpBenchmark.Corpus corpus = HttpBenchmark.Corpus.load(
        EvalData.dir(opts.get("eval-dir")));
    this.prompts = new Prompts(corpus, new Random(Long.parseLong(opt("random-seed", "11"))));
    this.pacerInterval = (long) (1e9 / Double.parseDouble(opt("rate", "20")));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    EvalData.exitIfMissing(() -> System.exit(run(opts) ? 0 : 1));
  }

  /** Runs the soak the options describe; false when the gateway died or did not drain. */
  public static boolean run(Map<String, String> opts) throws Exception {
    return new SoakBenchmark(opts).soak();
  }

  /** {@code 30m}, {@code 90s}, {@code 1h}, or plain seconds. */
  static long seconds(String duration) {
    Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)([smh]?)").matcher(duration.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("duration like 30m, 90s, 1h: " + duration);
    }
    double v = Double.parseDouble(m.group(1));
    return Math.round(switch (m.group(2)) {
      case "m" -> v * 60;
      case "h" -> v * 3600;
      default -> v;
    });
  }

  // --- the run ----------------------------------------------------------------------------------

  private boolean soak() throws Exception {
    String duration = opt("duration", "30m");
    long loadSeconds = seconds(duration);
    double sampleSeconds = Double.parseDouble(opt("sample", "10"));
    String label = opt("label", duration);
    Path out = Path.of(opt("out", "bench/results"));
    Files.createDirectories(out.resolve("plots"));
    String stem = LocalDate.now() + "-soak-" + label;
    Path csv = out.resolve(stem + ".csv");
    Map<String, Object> machine = Results.machine();
    log("soak %s: %d mixed clients at %s req/s, %d burst clients every %s s, sampling every %s s"
        + " -> %s", duration, intOpt("clients", 32), opt("rate", "20"),
        intOpt("burst-clients", 6), opt("burst-every", "2"), opt("sample", "10"), csv);

    List<Map<String, Object>> series = new ArrayList<>();
    long start = System.nanoTime();
    long loadEnd = start + loadSeconds * 1_000_000_000L;
    pacerNext = start;
    List<Thread> threads = new ArrayList<>();
    int clients = intOpt("clients", 32);
    for (int i = 0; i < clients; i++) {
      threads.add(daemon("soak-client-" + i, this::mixedClient));
    }
    int burstClients = intOpt("burst-clients", 6);
    ExecutorService burstPool = Executors.newFixedThreadPool(Math.max(1, burstClients), r -> {
      Thread t = new Thread(r, "soak-burst");
      t.setDaemon(true);
      return t;
    });
    if (burstClients > 0) {
      threads.add(daemon("soak-burst-leader", () -> bursts(burstPool, burstClients)));
    }
    threads.forEach(Thread::start);

    boolean died = false;
    Snapshot previous = null;
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
      w.println(String.join(",", CSV_COLUMNS));
      long nextSample = start;
      while (System.nanoTime() < loadEnd) {
        nextSample += (long) (sampleSeconds * 1e9);
        sleepUntil(Math.min(nextSample, loadEnd));
        Snapshot s = sample("load", start, previous);
        previous = s;
        series.add(s.row);
        w.println(s.csv());
        w.flush();
        progress(s);
        if (!s.alive) {
          died = true;
          log("the gateway (pid %d) is gone: stopping the load", pid);
          break;
        }
      }
      stop = true;
      long stopped = System.nanoTime();
      // Drain: single-flight must be empty within --drain seconds of the load stopping (answers
      // in progress may still finish meanwhile: a miss takes the origin delay, a drip 5 s).
      long drainUntil = stopped + (long) (Double.parseDouble(opt("drain", "10")) * 1e9);
      Snapshot last = null;
      double drainedAfter = -1;
      while (!died) {
        Thread.sleep(1000);
        last = sample("drain", start, previous);
        previous = last;
        series.add(last.row);
        w.println(last.csv());
        w.flush();
        if (!last.alive) {
          died = true;
          break;
        }
        if (last.inflight == 0) {
          drainedAfter = (System.nanoTime() - stopped) / 1e9;
          break;
        }
        if (System.nanoTime() >= drainUntil) {
          break;
        }
      }
      for (Thread t : threads) {
        // Bounded: an answer in progress ends by the read timeout at the latest.
        t.join(Math.max(1, READ_TIMEOUT_MS + 5_000L - (System.nanoTime() - stopped) / 1_000_000));
      }
      burstPool.shutdownNow();
      burstPool.awaitTermination(5, TimeUnit.SECONDS);
      double clientsStopped = (System.nanoTime() - stopped) / 1e9;
      if (!died) {
        Snapshot fin = sample("final", start, previous);
        series.add(fin.row);
        w.println(fin.csv());
        w.flush();
        died = !fin.alive;
        inflightAfterClients = fin.inflight;
        last = last == null || drainedAfter >= 0 ? fin : last;
        if (drainedAfter < 0) {
          log("after the clients stopped (%.1f s): inflight %d", clientsStopped, fin.inflight);
        }
      }
      Map<String, Object> summary = summary(series, last, died, drainedAfter, clientsStopped);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("scenario", "soak");
      result.put("date", Instant.now().toString());
      result.put("machine", machine);
      result.put("command", opt("command", ""));
      result.put("server", opt("server-kind", "deja"));
      result.put("settings", settings(loadSeconds));
      result.put("summary", summary);
      result.put("series", series);
      Path json = out.resolve(stem + ".json");
      Results.JSON.writeValue(json.toFile(), result);
      Path png = out.resolve("plots").resolve("soak-" + label + ".png");
      try {
        plot(series, png, "Deja gateway memory, " + duration + " soak");
      } catch (IOException | LinkageError e) {
        log("no plot (%s): the CSV and JSON have the numbers", e);
        png = null;
      }
      printSummary(summary, csv, json, png);
      return Boolean.TRUE.equals(summary.get("passed"));
    }
  }

  private Map<String, Object> settings(long loadSeconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("duration_s", loadSeconds);
    m.put("clients", intOpt("clients", 32));
    m.put("rate_per_s", Double.parseDouble(opt("rate", "20")));
    m.put("burst_clients", intOpt("burst-clients", 6));
    m.put("burst_every_s", Double.parseDouble(opt("burst-every", "2")));
    m.put("sample_s", Double.parseDouble(opt("sample", "10")));
    m.put("mix", "60% exact repeat, 15% paraphrase, 18% first-time, 4% large image dropped"
        + " mid-body (half cached, half first-time), 3% first-time with a fresh seed; plus"
        + " single-flight bursts");
    m.put("origin", opt("origin-kind", "SoakOrigin: 2% 15 MiB, 8% 2 MiB, 30% 512 KiB, 60%"
        + " 64-256 KiB; 1% 5xx, 0.5% cut mid-body, 0.5% slow drip"));
    return m;
  }

  // --- clients ----------------------------------------------------------------------------------

  private void mixedClient() {
    int abortPercent = Math.min(7, intOpt("abort-percent", 4));
    Conn conn = new Conn();
    try {
      while (!stop) {
        pace();
        if (stop) {
          return;
        }
        int draw = ThreadLocalRandom.current().nextInt(100);
        Ask ask;
        long abortAfter = Long.MAX_VALUE;
        if (draw < 60) {
          ask = prompts.seen();
        } else if (draw < 75) {
          ask = prompts.paraphrase();
        } else if (draw < 93) {
          ask = prompts.fresh();
        } else if (draw < 93 + abortPercent) {
          // A large image, half of them already cached, dropped after 10-60 % of its bytes, as
          // a user closing the tab.
          ask = draw % 2 == 0 ? prompts.seenLarge() : null;
          ask = ask == null ? prompts.freshLarge() : ask;
          abortAfter = (long) (SoakOrigin.LARGE_BYTES
              * (0.1 + 0.5 * ThreadLocalRandom.current().nextDouble()));
        } else {
          // A seed never used: an empty partition, no semantic search.
          ask = new Ask(prompts.fresh().prompt(),
              "&seed=" + (1_000_000_000L + ThreadLocalRandom.current().nextInt(1 << 30)));
        }
        if (ask == null) {
          ask = prompts.fresh();
        }
        request(conn, ask, abortAfter);
      }
    } finally {
      conn.close();
    }
  }

  private void bursts(ExecutorService pool, int n) {
    long everyNanos = (long) (Double.parseDouble(opt("burst-every", "2")) * 1e9);
    ThreadLocal<Conn> conns = ThreadLocal.withInitial(Conn::new);
    List<Conn> all = Collections.synchronizedList(new ArrayList<>());
    long next = System.nanoTime();
    try {
      while (!stop) {
        next += everyNanos;
        Ask ask = prompts.fresh();
        List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          tasks.add(() -> {
            Conn c = conns.get();
            if (c.socket == null) {
              all.add(c);
            }
            request(c, ask, Long.MAX_VALUE);
            return null;
          });
        }
        pool.invokeAll(tasks, READ_TIMEOUT_MS + 5_000L, TimeUnit.MILLISECONDS);
        sleepUntil(next);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      synchronized (all) {
        all.forEach(Conn::close);
      }
    }
  }

  private void request(Conn conn, Ask ask, long abortAfter) {
    String path = ask.path();
    try {
      conn.open(dejaPort);
      HttpWire.Answer a = HttpWire.get(conn.socket, conn.in, path, conn.sink, abortAfter);
      if (a.aborted()) {
        aborts.increment();
        count(outcomes, "aborted (" + a.cacheClass() + ")");
      } else {
        answered.increment();
        count(outcomes, a.cacheClass());
      }
      if (a.status() == 200 && !a.aborted()) {
        prompts.answered(ask, a.length() >= SoakOrigin.LARGE_BYTES);
      }
      if (a.closeAfter()) {
        conn.close();
      }
    } catch (IOException e) {
      conn.close();
      errors.increment();
      String kind = errorKind(e);
      count(errorKinds, kind);
      count(outcomes, "error: " + kind);
    } catch (RuntimeException e) {
      conn.close();
      errors.increment();
      count(errorKinds, e.getClass().getSimpleName());
      count(outcomes, "error: " + e.getClass().getSimpleName());
    }
  }

  static String errorKind(IOException e) {
    if (e instanceof SocketTimeoutException) {
      return "read timeout";
    }
    if (e instanceof java.net.ConnectException) {
      return "connect refused";
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (m.contains("mid-body")) {
      return "cut mid-body";
    }
    if (m.contains("before the answer") || m.contains("mid-answer")) {
      return "closed before the body";
    }
    if (m.contains("reset")) {
      return "connection reset";
    }
    return e.getClass().getSimpleName() + ": " + m;
  }

  /** A global pacer: requests leave at {@code rate} per second, spread over the clients. */
  private void pace() {
    long at;
    synchronized (this) {
      long now = System.nanoTime();
      // Never bank more than one second of missed slots: no catch-up storm after a stall.
      pacerNext = Math.max(pacerNext, now - 1_000_000_000L);
      at = pacerNext;
      pacerNext += pacerInterval;
    }
    try {
      sleepUntil(at);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop = true;
    }
  }

  /** One keep-alive connection of a client. */
  private static final class Conn {
    Socket socket;
    InputStream in;
    final byte[] sink = new byte[64 * 1024];

    void open(int port) throws IOException {
      if (socket == null) {
        socket = HttpWire.connect(port, READ_TIMEOUT_MS);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      }
    }

    void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing
        }
        socket = null;
        in = null;
      }
    }
  }

  // --- sampling ---------------------------------------------------------------------------------

  /** One sample: the CSV row and the JSON row. */
  private record Snapshot(Map<String, Object> row, boolean alive, long inflight,
      Map<String, Double> meters, long answered, double tSeconds) {
    String csv() {
      List<String> cells = new ArrayList<>();
      for (String c : CSV_COLUMNS) {
        Object v = row.get(c);
        cells.add(v == null ? "" : v.toString());
      }
      return String.join(",", cells);
    }
  }

  private Snapshot sample(String phase, long start, Snapshot previous) {
    double t = (System.nanoTime() - start) / 1e9;
    boolean alive = pid <= 0 || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    Map<String, Double> meters = alive ? scrape() : Map.of();
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("t_s", Math.round(t * 10) / 10.0);
    row.put("phase", phase);
    row.put("alive", alive);
    row.put("rss_mib", alive && pid > 0 ? Results.rssMib(pid) : -1);
    Heap heap = heap(meters);
    row.put("heap_used_mib", heap.usedMib);
    row.put("heap_committed_mib", heap.committedMib);
    row.put("heap_source", heap.source);
    row.put("young_gcs", heap.youngGcs);
    row.put("full_gcs", heap.fullGcs);
    double dt = previous == null ? t : Math.max(1e-3, t - previous.tSeconds);
    long done = answered.sum() + aborts.sum();
    row.put("client_rps", round1((done - (previous == null ? 0 : previous.answered)) / dt));
    row.put("client_ok", answered.sum());
    row.put("client_errors", errors.sum());
    row.put("client_aborts", aborts.sum());
    for (String[] k : new String[][] {{"hit_exact_rps", "hit", "exact"},
        {"hit_semantic_rps", "hit", "semantic"}, {"hit_collapsed_rps", "hit", "collapsed"},
        {"miss_rps", "miss", null}, {"bypass_rps", "bypass", null}}) {
      double now = requests(meters, k[1], k[2]);
      double before = previous == null ? 0 : requests(previous.meters, k[1], k[2]);
      row.put(k[0], meters.isEmpty() ? null : round1(Math.max(0, now - before) / dt));
    }
    long inflight = meters.isEmpty() ? -1 : Math.round(meters.getOrDefault(
        "deja_singleflight_inflight", -1.0));
    row.put("inflight", inflight);
    row.put("store_queue", longMeter(meters, "deja_store_queue_depth"));
    row.put("store_completed", longMeter(meters, "deja_store_completed_total"));
    row.put("store_failed", longMeter(meters, "deja_store_failed_total"));
    row.put("store_dropped", longMeter(meters, "deja_store_dropped_total"));
    row.put("hot_entries", longMeter(meters, "deja_hot_entries"));
    row.put("breaker_open", longMeter(meters, "deja_breaker_open"));
    row.put("cache_entries", longMeter(meters, "deja_cache_entries"));
    Double bytes = meters.get("deja_cache_bytes");
    row.put("cache_mib", bytes == null ? null : round1(bytes / 1048576));
    row.put("origin_calls", originStats().getOrDefault("calls", -1L));
    return new Snapshot(row, alive, inflight, meters, done, t);
  }

  /** The gateway's Prometheus text as {@code name{labels}} to value (labels sorted as given). */
  private Map<String, Double> scrape() {
    Map<String, Double> m = new TreeMap<>();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + dejaPort + opt("admin-prefix", "/_deja") + "/metrics"))
              .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return m;
      }
      for (String line : r.body().split("\n")) {
        if (line.startsWith("#")) {
          continue;
        }
        Matcher s = SAMPLE.matcher(line);
        if (s.find()) {
          String key = s.group(3) == null || s.group(3).isEmpty() ? s.group(1)
              : s.group(1) + "{" + s.group(3) + "}";
          try {
            m.put(key, Double.parseDouble(s.group(4)));
          } catch (NumberFormatException ignored) {
            // NaN spelled differently; skip
          }
        }
      }
    } catch (IOException e) {
      log("metrics scrape failed: %s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return m;
  }

  /** Sum of {@code deja_requests_total} over the series with this status (and type). */
  static double requests(Map<String, Double> meters, String status, String type) {
    double sum = 0;
    for (Map.Entry<String, Double> e : meters.entrySet()) {
      if (!e.getKey().startsWith("deja_requests_total{")) {
        continue;
      }
      Map<String, String> labels = labels(e.getKey());
      if (status.equals(labels.get("status")) && (type == null || type.equals(labels.get("type")))) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  static Map<String, String> labels(String key) {
    Map<String, String> l = new TreeMap<>();
    Matcher m = LABEL.matcher(key);
    while (m.find()) {
      l.put(m.group(1), m.group(2));
    }
    return l;
  }

  private record Heap(double usedMib, double committedMib, String source, long youngGcs,
      long fullGcs) {}

  /** Heap from the server's own JVM meters when exported, else from {@code jstat -gc}. */
  private Heap heap(Map<String, Double> meters) {
    double used = 0;
    double committed = 0;
    boolean any = false;
    for (Map.Entry<String, Double> e : meters.entrySet()) {
      boolean heapArea = e.getKey().contains("area=\"heap\"");
      if (heapArea && e.getKey().startsWith("jvm_memory_used_bytes{")) {
        used += e.getValue();
        any = true;
      } else if (heapArea && e.getKey().startsWith("jvm_memory_committed_bytes{")) {
        committed += e.getValue();
      }
    }
    Map<String, Double> gc = pid > 0 ? jstat(pid) : Map.of();
    long young = Math.round(gc.getOrDefault("YGC", -1.0));
    long full = Math.round(gc.getOrDefault("FGC", -1.0));
    if (any) {
      return new Heap(round1(used / 1048576), round1(committed / 1048576), "metrics", young, full);
    }
    if (gc.isEmpty()) {
      return new Heap(-1, -1, "none", young, full);
    }
    double usedKb = gc.get("S0U") + gc.get("S1U") + gc.get("EU") + gc.get("OU");
    double committedKb = gc.get("S0C") + gc.get("S1C") + gc.get("EC") + gc.get("OC");
    return new Heap(round1(usedKb / 1024), round1(committedKb / 1024), "jstat", young, full);
  }

  /** {@code jstat -gc PID} as column to value; empty when jstat is missing or fails. */
  static Map<String, Double> jstat(long pid) {
    Map<String, Double> m = new LinkedHashMap<>();
    try {
      Process p = new ProcessBuilder("jstat", "-gc", Long.toString(pid))
          .redirectErrorStream(true).start();
      String text;
      try (InputStream in = p.getInputStream()) {
        text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return m;
      }
      String[] lines = text.strip().split("\n");
      if (lines.length < 2) {
        return m;
      }
      String[] names = lines[0].trim().split("\\s+");
      String[] values = lines[lines.length - 1].trim().split("\\s+");
      for (int i = 0; i < names.length && i < values.length; i++) {
        try {
          m.put(names[i], Double.parseDouble(values[i]));
        } catch (NumberFormatException ignored) {
          // "-" for an absent space
        }
      }
    } catch (IOException e) {
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return m.containsKey("EU") && m.containsKey("OU") ? m : Map.of();
  }

  private Map<String, Long> originStats() {
    int port = intOpt("origin-port", 0);
    if (port <= 0) {
      return Map.of();
    }
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + port + "/_origin/stats")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return Map.of();
      }
      Map<String, Long> m = new LinkedHashMap<>();
      Results.JSON.readTree(r.body()).fields()
          .forEachRemaining(e -> m.put(e.getKey(), e.getValue().asLong()));
      return m;
    } catch (IOException e) {
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    }
  }

  // --- the summary ------------------------------------------------------------------------------

  private Map<String, Object> summary(List<Map<String, Object>> series, Snapshot last,
      boolean died, double drainedAfter, double clientsStopped) {
    Map<String, Object> s = new LinkedHashMap<>();
    double maxRss = 0;
    double maxHeap = 0;
    double maxCommitted = 0;
    long maxInflight = 0;
    long maxQueue = 0;
    for (Map<String, Object> row : series) {
      maxRss = Math.max(maxRss, num(row.get("rss_mib")));
      maxHeap = Math.max(maxHeap, num(row.get("heap_used_mib")));
      maxCommitted = Math.max(maxCommitted, num(row.get("heap_committed_mib")));
      maxInflight = Math.max(maxInflight, (long) num(row.get("inflight")));
      maxQueue = Math.max(maxQueue, (long) num(row.get("store_queue")));
    }
    List<Map<String, Object>> load = series.stream()
        .filter(r -> "load".equals(r.get("phase"))).toList();
    s.put("samples", series.size());
    s.put("max_rss_mib", maxRss);
    s.put("max_heap_used_mib", maxHeap);
    s.put("max_heap_committed_mib", maxCommitted);
    if (!load.isEmpty()) {
      s.put("rss_mib_first_sample", load.get(0).get("rss_mib"));
      s.put("rss_mib_last_load_sample", load.get(load.size() - 1).get("rss_mib"));
    }
    s.put("max_inflight", maxInflight);
    s.put("max_store_queue", maxQueue);
    s.put("final_inflight", last == null ? null : last.inflight);
    s.put("final_store_queue", last == null ? null : last.row.get("store_queue"));
    s.put("inflight_zero_after_s", drainedAfter < 0 ? null : Math.round(drainedAfter * 10) / 10.0);
    s.put("inflight_after_clients_stopped", inflightAfterClients);
    s.put("clients_stopped_in_s", Math.round(clientsStopped * 10) / 10.0);
    s.put("gateway_died", died);
    s.put("young_gcs", last == null ? null : last.row.get("young_gcs"));
    s.put("full_gcs", last == null ? null : last.row.get("full_gcs"));
    s.put("store_completed", last == null ? null : last.row.get("store_completed"));
    s.put("store_failed", last == null ? null : last.row.get("store_failed"));
    s.put("store_dropped", last == null ? null : last.row.get("store_dropped"));
    s.put("cache_entries", last == null ? null : last.row.get("cache_entries"));
    s.put("client_answers", answered.sum());
    s.put("client_aborts_on_purpose", aborts.sum());
    s.put("client_errors", errors.sum());
    s.put("client_outcomes", sorted(outcomes));
    s.put("client_error_kinds", sorted(errorKinds));
    Map<String, Object> deja = new TreeMap<>();
    if (last != null) {
      last.meters.forEach((k, v) -> {
        if (k.startsWith("deja_requests_total{")) {
          Map<String, String> l = labels(k);
          deja.put(l.get("status") + "/" + l.get("type"), Math.round(v));
        }
      });
    }
    s.put("deja_requests_total", deja);
    s.put("origin", originStats());
    s.put("passed", !died && drainedAfter >= 0);
    return s;
  }

  private void printSummary(Map<String, Object> s, Path csv, Path json, Path png) {
    StringBuilder b = new StringBuilder();
    b.append("\n=== soak summary (").append(opt("duration", "30m")).append(", ")
        .append(opt("server-kind", "deja")).append(") ===\n");
    for (Map.Entry<String, Object> e : s.entrySet()) {
      b.append(String.format(Locale.ROOT, "  %-26s %s%n", e.getKey(), e.getValue()));
    }
    b.append("  csv  ").append(csv).append("\n  json ").append(json).append("\n  plot ")
        .append(png == null ? "-" : png).append('\n');
    b.append(Boolean.TRUE.equals(s.get("passed")) ? "PASS" : "FAIL: "
        + (Boolean.TRUE.equals(s.get("gateway_died")) ? "the gateway died"
            : "single-flight still had " + s.get("final_inflight") + " in flight "
                + opt("drain", "10") + " s after the load")).append('\n');
    System.out.print(b);
    System.out.flush();
  }

  private void progress(Snapshot s) {
    Map<String, Object> r = s.row;
    log("t=%5.0fs rss %s MiB heap %s/%s MiB  %s req/s (exact %s sem %s miss %s)  inflight %s"
        + " queue %s  errors %s aborts %s", s.tSeconds, r.get("rss_mib"), r.get("heap_used_mib"),
        r.get("heap_committed_mib"), r.get("client_rps"), r.get("hit_exact_rps"),
        r.get("hit_semantic_rps"), r.get("miss_rps"), r.get("inflight"), r.get("store_queue"),
        r.get("client_errors"), r.get("client_aborts"));
  }

  /** RSS and heap (used, committed) over time, in MiB. */
  static void plot(List<Map<String, Object>> series, Path png, String title) throws IOException {
    XYSeries rss = new XYSeries("RSS");
    XYSeries used = new XYSeries("heap used");
    XYSeries committed = new XYSeries("heap committed");
    for (Map<String, Object> row : series) {
      double minutes = num(row.get("t_s")) / 60;
      add(rss, minutes, row.get("rss_mib"));
      add(used, minutes, row.get("heap_used_mib"));
      add(committed, minutes, row.get("heap_committed_mib"));
    }
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(rss);
    data.addSeries(committed);
    data.addSeries(used);
    JFreeChart chart = ChartFactory.createXYLineChart(title, "minutes", "MiB", data,
        PlotOrientation.VERTICAL, true, false, false);
    Files.createDirectories(png.getParent());
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 450);
  }

  // --- prompts ----------------------------------------------------------------------------------

  /** One thing to ask for: a prompt and what the query adds to it (a seed, or nothing). */
  record Ask(String prompt, String extra) {
    String path() {
      return HttpBenchmark.path(prompt) + extra;
    }

    String seed() {
      return extra.isEmpty() ? null : extra.substring(extra.indexOf('=') + 1);
    }
  }

  /**
   * Where requests come from: first-time prompts from the corpus (COCO captions, then PAWS
   * sentences; once used up, again with {@code seed=<round>}, still first-time keys); prompts
   * answered 200 become candidates for exact repeats and paraphrases. First-time large images
   * are corpus prompts with a seed chosen so that {@link SoakOrigin#bytesFor} makes them large.
   */
  static final class Prompts {
    private static final int SEEN_MAX = 4_000;
    private final List<String> corpus;
    private final AtomicInteger nextFresh = new AtomicInteger();
    private final AtomicInteger nextLarge = new AtomicInteger();
    private final List<Ask> seen = new ArrayList<>();
    private final List<Ask> seenLarge = new ArrayList<>();
    private final java.util.Set<Ask> seenSet = new java.util.HashSet<>();

    Prompts(HttpBenchmark.Corpus corpus, Random random) {
      List<String> all = new ArrayList<>(corpus.captions());
      all.addAll(corpus.sentences());
      Collections.shuffle(all, random);
      this.corpus = all;
    }

    /** A key never asked before. */
    Ask fresh() {
      int i = nextFresh.getAndIncrement();
      int round = i / corpus.size();
      return new Ask(corpus.get(i % corpus.size()), round == 0 ? "" : "&seed=" + round);
    }

    /** A key never asked before whose image is {@link SoakOrigin#LARGE_BYTES}. */
    Ask freshLarge() {
      int i = nextLarge.getAndIncrement();
      // Walking the corpus backwards: the same prompts as fresh() only much later, other seeds.
      String prompt = corpus.get(corpus.size() - 1 - i % corpus.size());
      for (long seed = 2_000_000_000L + i; ; seed += 1_000_003) {
        if (SoakOrigin.bytesFor(prompt, null, Long.toString(seed)) >= SoakOrigin.LARGE_BYTES) {
          return new Ask(prompt, "&seed=" + seed);
        }
      }
    }

    synchronized void answered(Ask ask, boolean large) {
      if (!seenSet.add(ask)) {
        return;
      }
      if (seen.size() >= SEEN_MAX) {
        // Replace a random old one: a bounded, slowly moving working set.
        Ask old = seen.set(ThreadLocalRandom.current().nextInt(SEEN_MAX), ask);
        seenSet.remove(old);
      } else {
        seen.add(ask);
      }
      if (large) {
        seenLarge.add(ask);
        if (seenLarge.size() > 50) {
          seenLarge.remove(0);
        }
      }
    }

    synchronized Ask seen() {
      return seen.isEmpty() ? null : seen.get(ThreadLocalRandom.current().nextInt(seen.size()));
    }

    synchronized Ask seenLarge() {
      return seenLarge.isEmpty() ? null
          : seenLarge.get(ThreadLocalRandom.current().nextInt(seenLarge.size()));
    }

    /** A photo-style rewording of an answered prompt, same seed (the bench's recipe). */
    Ask paraphrase() {
      Ask base = seen();
      if (base == null) {
        return null;
      }
      ThreadLocalRandom r = ThreadLocalRandom.current();
      String core = base.prompt().strip().replaceAll("[.\\s]+$", "");
      String prefix = HttpBenchmark.PREFIXES[r.nextInt(HttpBenchmark.PREFIXES.length)];
      String suffix = HttpBenchmark.SUFFIXES[1 + r.nextInt(HttpBenchmark.SUFFIXES.length - 1)];
      String lowered = core.isEmpty() ? core
          : Character.toLowerCase(core.charAt(0)) + core.substring(1);
      return new Ask((prefix.isEmpty() ? core : prefix + lowered) + suffix, base.extra());
    }
  }

  // --- helpers ----------------------------------------------------------------------------------

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long ms = (nanoTime - System.nanoTime()) / 1_000_000;
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }

  private static void add(XYSeries s, double x, Object y) {
    double v = num(y);
    if (v >= 0) {
      s.add(x, v);
    }
  }

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : -1;
  }

  private static Long longMeter(Map<String, Double> meters, String name) {
    Double v = meters.get(name);
    return v == null ? null : Math.round(v);
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static void count(Map<String, LongAdder> m, String key) {
    m.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  private static Map<String, Long> sorted(Map<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private String opt(String key, String def) {
    return opts.getOrDefault(key, def);
  }

  private int intOpt(String key, int def) {
    return Integer.parseInt(opt(key, Integer.toString(def)));
  }

  private static void log(String format, Object... args) {
    System.err.println("soak: " + String.format(Locale.ROOT, format, args));
  }
}
