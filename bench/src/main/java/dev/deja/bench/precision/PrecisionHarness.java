package dev.deja.bench.precision;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deja.bench.EvalData;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deja.filter.embed.Embedder;
import dev.deja.filter.embed.EmbedderSettings;
import dev.deja.filter.embed.Embedders;
import dev.deja.filter.match.GuardStrictness;
import dev.deja.filter.match.GuardedMatcher;
import dev.deja.filter.match.MatchGuard;
import dev.deja.filter.match.MatchPreset;
import dev.deja.filter.match.MatchVerdict;
import dev.deja.filter.match.SemanticMatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Measures the cache's real semantic decision ({@link SemanticMatcher#decide}, embeddings from the
 * real {@link Embedder}) on labelled pair sets, and the threshold-only and threshold+guard curves
 * around it. Writes docs/PRECISION.md (generated section), docs/precision.json and
 * docs/precision-roc.png, and prints the tables.
 *
 * <pre>
 * mvn -B -q -pl bench -am exec:java -Dexec.mainClass=dev.deja.bench.precision.PrecisionHarness \
 *     -Dexec.args="--eval-dir DIR"
 * </pre>
 *
 * Options: {@code --eval-dir DIR} (else {@code DEJA_EVAL_DIR}, else ../shared/eval beside the
 * repository: {@link EvalData}; {@code bench/scripts/fetch-eval-data.sh} fetches it), {@code --out
 * DIR} (default docs of the repository), {@code --pairs FILE} (repeatable; TSV prompt_a,
 * prompt_b, label 1/0), {@code --only-pairs} (skip the bundled sets), {@code --coco-images N}
 * (default 2000), {@code --model NAME} (a bundled model), {@code --vector-cache FILE}, {@code
 * --threads N}, {@code --no-write}.
 */
public final class PrecisionHarness {

  static final double[] THRESHOLDS = thresholds();
  static final GuardStrictness[] LEVELS = GuardStrictness.values();

  private static double[] thresholds() {
    double[] t = new double[20];
    for (int i = 0; i < t.length; i++) {
      t[i] = Math.round((0.80 + 0.01 * i) * 100) / 100.0;
    }
    return t;
  }

  private PrecisionHarness() {}

  public static void main(String[] args) throws Exception {
    EvalData.exitIfMissing(() -> {
      Options o = Options.parse(args);
      Report report = run(o);
      if (o.write) {
        report.write(o.out);
      }
    });
  }

  static final class Options {
    Path evalDir;
    Path out;
    List<Path> pairs = new ArrayList<>();
    boolean onlyPairs;
    int cocoImages = 2000;
    String model = EmbedderSettings.DEFAULT_MODEL;
    Path vectorCache;
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    boolean write = true;
    Path dump;

    static Options parse(String[] args) {
      Options o = new Options();
      String evalDir = null;
      String out = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--eval-dir" -> evalDir = value(args, ++i, a);
          case "--out" -> out = value(args, ++i, a);
          case "--pairs" -> o.pairs.add(Path.of(value(args, ++i, a)));
          case "--only-pairs" -> o.onlyPairs = true;
          case "--coco-images" -> o.cocoImages = Integer.parseInt(value(args, ++i, a));
          case "--model" -> o.model = value(args, ++i, a);
          case "--vector-cache" -> o.vectorCache = Path.of(value(args, ++i, a));
          case "--threads" -> o.threads = Integer.parseInt(value(args, ++i, a));
          case "--no-write" -> o.write = false;
          case "--dump" -> o.dump = Path.of(value(args, ++i, a));
          default -> throw new IllegalArgumentException("unknown option '" + a + "'; known:"
              + " --eval-dir --out --pairs --only-pairs --coco-images --model --vector-cache"
              + " --threads --no-write --dump");
        }
      }
      if (o.onlyPairs && evalDir == null) {
        o.evalDir = null; // the bundled sets are skipped: no evaluation directory needed
      } else {
        o.evalDir = EvalData.dir(evalDir);
      }
      o.out = out != null ? Path.of(out) : EvalData.repoRoot().resolve("docs");
      if (o.onlyPairs && o.pairs.isEmpty()) {
        throw new IllegalArgumentException("--only-pairs needs at least one --pairs FILE");
      }
      return o;
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }

  static Report run(Options o) throws Exception {
    long start = System.nanoTime();
    List<LabelledPair> pairs = new ArrayList<>();
    Map<String, List<String>> coco = null;
    List<String> cocoIds = List.of();
    if (!o.onlyPairs) {
      pairs.addAll(EvalSets.paws(o.evalDir));
      coco = EvalSets.cocoCaptions(o.evalDir);
      cocoIds = EvalSets.sampleImages(coco, o.cocoImages, 6);
      pairs.addAll(EvalSets.cocoSameImage(coco, cocoIds));
      pairs.addAll(EvalSets.imageSwaps(o.evalDir));
      pairs.addAll(EvalSets.imageParaphrases(o.evalDir));
      pairs.addAll(EvalSets.handParaphrases());
      pairs.addAll(EvalSets.handNearMisses());
    }
    for (Path p : o.pairs) {
      String name = p.getFileName().toString().replaceFirst("\\.[^.]*$", "");
      pairs.addAll(EvalSets.pairsFile(name, p));
    }

    EmbedderSettings settings = EmbedderSettings.builder().model(o.model).cacheSize(0)
        .maxConcurrentInferences(o.threads).inferenceWaitTimeout(Duration.ofSeconds(60)).build();
    Vectors vectors = new Vectors();
    String modelId;
    long embedStart = System.nanoTime();
    try (Embedder embedder = Embedders.create(settings)) {
      modelId = embedder.modelId();
      if (o.vectorCache != null) {
        vectors.load(o.vectorCache, modelId);
      }
      Set<String> texts = new LinkedHashSet<>();
      for (LabelledPair p : pairs) {
        texts.add(p.request());
        texts.add(p.cached());
      }
      if (coco != null) {
        coco.values().forEach(texts::addAll);
      }
      System.err.printf("embedding %d distinct texts with %s on %d threads%n", texts.size(),
          modelId, o.threads);
      vectors.embedAll(embedder, texts, o.threads);
      if (o.vectorCache != null) {
        vectors.save(o.vectorCache, modelId, embedder.dimension());
      }
    }
    double embedSeconds = (System.nanoTime() - embedStart) / 1e9;
    if (coco != null) {
      pairs.addAll(cocoNearestOtherImage(coco, cocoIds, vectors, o.threads));
    }

    double[] sims = new double[pairs.size()];
    for (int i = 0; i < sims.length; i++) {
      LabelledPair p = pairs.get(i);
      sims[i] = Vectors.cosine(vectors.get(p.request()), vectors.get(p.cached()));
    }
    if (o.dump != null) {
      dump(o.dump, pairs, sims);
    }
    Report report = new Report(modelId, o, pairs, sims);
    report.measure();
    report.embedSeconds = embedSeconds;
    report.totalSeconds = (System.nanoTime() - start) / 1e9;
    report.print();
    return report;
  }

  /**
   * Writes every pair with its similarity as TSV (set or PAWS half, kind, label, similarity,
   * request, cached) so that {@link GuardReplay} can re-run guard variants without the embedder.
   */
  static void dump(Path file, List<LabelledPair> pairs, double[] sims) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < pairs.size(); i++) {
      LabelledPair p = pairs.get(i);
      sb.append(p.split() != null ? p.split() : p.set()).append('\t').append(p.kind())
          .append('\t').append(p.positive() ? 1 : 0).append('\t')
          .append(String.format(Locale.ROOT, "%.6f", sims[i])).append('\t')
          .append(p.request().replace('\t', ' ')).append('\t')
          .append(p.cached().replace('\t', ' ')).append('\n');
    }
    Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
  }

  /** For each sampled image's first caption, the most similar caption of any other image. */
  static List<LabelledPair> cocoNearestOtherImage(Map<String, List<String>> coco,
      List<String> ids, Vectors vectors, int threads) throws Exception {
    List<String> owner = new ArrayList<>();
    List<float[]> pool = new ArrayList<>();
    List<String> poolText = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : coco.entrySet()) {
      for (String c : e.getValue()) {
        owner.add(e.getKey());
        pool.add(vectors.get(c));
        poolText.add(c);
      }
    }
    List<LabelledPair> out = new ArrayList<>(ids.size());
    java.util.concurrent.ExecutorService ex =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<LabelledPair>> fs = new ArrayList<>();
      for (String id : ids) {
        String query = coco.get(id).get(0);
        float[] q = vectors.get(query);
        fs.add(ex.submit(() -> {
          int best = -1;
          double bestSim = -2;
          for (int i = 0; i < pool.size(); i++) {
            if (owner.get(i).equals(id)) {
              continue;
            }
            double s = Vectors.cosine(q, pool.get(i));
            if (s > bestSim) {
              bestSim = s;
              best = i;
            }
          }
          return new LabelledPair(EvalSets.COCO, "nearest-other-image", query,
              poolText.get(best), false);
        }));
      }
      for (var f : fs) {
        out.add(f.get());
      }
    } finally {
      ex.shutdown();
    }
    return out;
  }

  /** Results of one run. */
  static final class Report {
    final String modelId;
    final Options options;
    final List<LabelledPair> pairs;
    final double[] sims;
    final List<String> sets = new ArrayList<>();
    /** set -> strictness -> threshold index -> counts. */
    final Map<String, Map<GuardStrictness, Counts[]>> curves = new LinkedHashMap<>();
    /** set -> preset -> counts, from SemanticMatcher.decide. */
    final Map<String, Map<MatchPreset, Counts>> presets = new LinkedHashMap<>();
    /** set -> kind -> preset -> counts. */
    final Map<String, Map<String, Map<MatchPreset, Counts>>> kinds = new LinkedHashMap<>();
    /** preset -> reason -> number of negatives refused / positives refused. */
    final Map<MatchPreset, Map<String, long[]>> reasons = new LinkedHashMap<>();
    final Map<MatchPreset, Histogram> latency = new LinkedHashMap<>();
    final Map<MatchPreset, List<String>> acceptedNegatives = new LinkedHashMap<>();
    double embedSeconds;
    double totalSeconds;

    Report(String modelId, Options options, List<LabelledPair> pairs, double[] sims) {
      this.modelId = modelId;
      this.options = options;
      this.pairs = pairs;
      this.sims = sims;
      for (LabelledPair p : pairs) {
        if (!sets.contains(p.set())) {
          sets.add(p.set());
          if (p.split() != null) {
            sets.add(EvalSets.PAWS_TUNE);
            sets.add(EvalSets.PAWS_HOLDOUT);
          }
        }
      }
      if (sets.contains(EvalSets.SWAPS)) {
        sets.add("image-prompts");
      }
    }

    private List<String> setsOf(LabelledPair p) {
      if (p.split() != null) {
        return List.of(p.set(), p.split());
      }
      boolean image = p.set().equals(EvalSets.SWAPS) || p.set().equals(EvalSets.IMAGE_POSITIVES)
          || p.set().equals(EvalSets.HAND_POSITIVES);
      return image && sets.contains("image-prompts")
          ? List.of(p.set(), "image-prompts") : List.of(p.set());
    }

    void measure() {
      // guard verdicts once per strictness; the curves combine them with each threshold exactly
      // as GuardedMatcher.decide does (checked against decide at every preset below)
      for (GuardStrictness s : LEVELS) {
        MatchGuard guard = new MatchGuard(s);
        for (int i = 0; i < pairs.size(); i++) {
          LabelledPair p = pairs.get(i);
          boolean guardOk = guard.check(p.request(), p.cached(), sims[i]).accepted();
          for (String set : setsOf(p)) {
            Counts[] c = curves.computeIfAbsent(set, k -> new LinkedHashMap<>())
                .computeIfAbsent(s, k -> newCounts(THRESHOLDS.length));
            for (int t = 0; t < THRESHOLDS.length; t++) {
              c[t].add(p.positive(), sims[i] >= THRESHOLDS[t] && guardOk);
            }
          }
        }
      }
      for (MatchPreset preset : MatchPreset.values()) {
        SemanticMatcher matcher = GuardedMatcher.of(preset);
        for (int i = 0; i < Math.min(2000, pairs.size()); i++) {
          LabelledPair p = pairs.get(i);
          matcher.decide(p.request(), p.cached(), sims[i], matcher.threshold()); // warm-up
        }
        Histogram h = new Histogram(3_600_000_000L, 3);
        List<String> fps = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
          LabelledPair p = pairs.get(i);
          long t0 = System.nanoTime();
          MatchVerdict v = matcher.decide(p.request(), p.cached(), sims[i], matcher.threshold());
          h.recordValue(System.nanoTime() - t0);
          for (String set : setsOf(p)) {
            presets.computeIfAbsent(set, k -> new LinkedHashMap<>())
                .computeIfAbsent(preset, k -> new Counts()).add(p.positive(), v.accepted());
          }
          kinds.computeIfAbsent(p.set(), k -> new TreeMap<>())
              .computeIfAbsent(p.kind(), k -> new LinkedHashMap<>())
              .computeIfAbsent(preset, k -> new Counts()).add(p.positive(), v.accepted());
          long[] r = reasons.computeIfAbsent(preset, k -> new TreeMap<>())
              .computeIfAbsent(v.reason(), k -> new long[2]);
          r[p.positive() ? 1 : 0]++;
          if (!p.positive() && v.accepted() && !p.set().equals(EvalSets.PAWS)
              && !p.set().equals(EvalSets.COCO) && fps.size() < 50) {
            fps.add(p.set() + "/" + p.kind() + " (" + String.format(Locale.ROOT, "%.3f", sims[i])
                + "): " + p.request() + " | " + p.cached());
          }
        }
        latency.put(preset, h);
        acceptedNegatives.put(preset, fps);
        // the curve point of this preset must be exactly what decide() did
        int t = thresholdIndex(preset.threshold());
        for (String set : sets) {
          Counts fromDecide = presets.get(set).get(preset);
          if (t >= 0 && !curves.get(set).get(preset.strictness())[t].sameAs(fromDecide)) {
            throw new IllegalStateException("curve and decide() disagree for " + set + " at "
                + preset);
          }
        }
      }
    }

    private static Counts[] newCounts(int n) {
      Counts[] c = new Counts[n];
      for (int i = 0; i < n; i++) {
        c[i] = new Counts();
      }
      return c;
    }

    static int thresholdIndex(double threshold) {
      for (int i = 0; i < THRESHOLDS.length; i++) {
        if (Math.abs(THRESHOLDS[i] - threshold) < 1e-9) {
          return i;
        }
      }
      return -1;
    }

    void print() {
      System.out.println(markdown());
    }

    String markdown() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "Model `%s`; %d pairs; embedding %.0f s, total %.0f s"
          + " (%d threads).%n%n", modelId, pairs.size(), embedSeconds, totalSeconds,
          options.threads));
      sb.append("### Presets (SemanticMatcher.decide)\n\n");
      sb.append("| set | preset | threshold | strictness | pairs | pos | neg | TP | FP | TN | FN"
          + " | precision | recall | FPR |\n");
      sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      for (String set : sets) {
        for (MatchPreset p : MatchPreset.values()) {
          Counts c = presets.get(set).get(p);
          sb.append(String.format(Locale.ROOT,
              "| %s | %s | %.2f | %s | %d | %d | %d | %d | %d | %d | %d | %s | %s | %s |%n", set,
              p, p.threshold(), p.strictness(), c.positives() + c.negatives(), c.positives(),
              c.negatives(), c.tp, c.fp, c.tn, c.fn, pct(c.precision()), pct(c.recall()),
              pct(c.fpr())));
        }
      }
      sb.append("\n### Per kind of pair at each preset (accepted / pairs)\n\n");
      sb.append("| set | kind | label |");
      for (MatchPreset p : MatchPreset.values()) {
        sb.append(' ').append(p).append(" |");
      }
      sb.append("\n|---|---|---|---|---|---|\n");
      for (var set : kinds.entrySet()) {
        for (var kind : set.getValue().entrySet()) {
          Counts any = kind.getValue().values().iterator().next();
          sb.append("| ").append(set.getKey()).append(" | ").append(kind.getKey()).append(" | ")
              .append(any.positives() > 0 ? "pos" : "neg").append(" |");
          for (MatchPreset p : MatchPreset.values()) {
            Counts c = kind.getValue().get(p);
            sb.append(' ').append(c.tp + c.fp).append(" / ").append(c.positives() + c.negatives())
                .append(" |");
          }
          sb.append('\n');
        }
      }
      sb.append("\n### Decision reasons (negatives / positives)\n\n| reason |");
      for (MatchPreset p : MatchPreset.values()) {
        sb.append(' ').append(p).append(" |");
      }
      sb.append("\n|---|---|---|---|\n");
      Set<String> allReasons = new java.util.TreeSet<>();
      reasons.values().forEach(m -> allReasons.addAll(m.keySet()));
      for (String r : allReasons) {
        sb.append("| ").append(r).append(" |");
        for (MatchPreset p : MatchPreset.values()) {
          long[] n = reasons.get(p).getOrDefault(r, new long[2]);
          sb.append(' ').append(n[0]).append(" / ").append(n[1]).append(" |");
        }
        sb.append('\n');
      }
      sb.append("\n### Decision latency (SemanticMatcher.decide, all pairs, one thread)\n\n");
      sb.append("| preset | decisions | p50 µs | p99 µs | p99.9 µs | max µs |\n|---|---|---|---|---|---|\n");
      for (var e : latency.entrySet()) {
        Histogram h = e.getValue();
        sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f |%n",
            e.getKey(), h.getTotalCount(), h.getValueAtPercentile(50) / 1e3,
            h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
            h.getMaxValue() / 1e3));
      }
      sb.append("\n### Curves: recall / FPR per threshold (threshold only = OFF)\n\n");
      for (String set : sets) {
        sb.append("**").append(set).append("**\n\n| threshold |");
        for (GuardStrictness s : LEVELS) {
          sb.append(' ').append(s).append(" recall | ").append(s).append(" FPR |");
        }
        sb.append("\n|---|");
        sb.append("---|---|".repeat(LEVELS.length)).append('\n');
        for (int t = 0; t < THRESHOLDS.length; t++) {
          sb.append(String.format(Locale.ROOT, "| %.2f |", THRESHOLDS[t]));
          for (GuardStrictness s : LEVELS) {
            Counts c = curves.get(set).get(s)[t];
            sb.append(' ').append(pct(c.recall())).append(" | ").append(pct(c.fpr())).append(" |");
          }
          sb.append('\n');
        }
        sb.append('\n');
      }
      MatchPreset bal = MatchPreset.BALANCED;
      sb.append("### Image-prompt negatives accepted at BALANCED\n\n");
      List<String> fps = acceptedNegatives.get(bal);
      if (fps.isEmpty()) {
        sb.append("none\n");
      }
      for (String f : fps) {
        sb.append("- ").append(f.replace("|", "\\|")).append('\n');
      }
      return sb.toString();
    }

    static String pct(double v) {
      return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    void write(Path out) throws IOException {
      Files.createDirectories(out);
      String generated = markdown();
      Path doc = out.resolve("PRECISION.md");
      String begin = "<!-- BEGIN GENERATED by PrecisionHarness: do not edit below -->";
      String end = "<!-- END GENERATED -->";
      String text = Files.isRegularFile(doc) ? Files.readString(doc, StandardCharsets.UTF_8)
          : "# Semantic match precision\n\n" + begin + "\n" + end + "\n";
      int b = text.indexOf(begin);
      int e = text.indexOf(end);
      if (b < 0 || e < b) {
        text = text + "\n" + begin + "\n" + end + "\n";
        b = text.indexOf(begin);
        e = text.indexOf(end);
      }
      text = text.substring(0, b + begin.length()) + "\n\n" + generated + "\n"
          + text.substring(e);
      Files.writeString(doc, text, StandardCharsets.UTF_8);
      writeJson(out.resolve("precision.json"));
      RocChart.write(this, out.resolve("precision-roc.png"));
      System.err.println("wrote " + doc + ", precision.json, precision-roc.png");
    }

    void writeJson(Path file) throws IOException {
      ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode root = m.createObjectNode();
      root.put("model", modelId);
      root.put("pairs", pairs.size());
      root.put("embedSeconds", Math.round(embedSeconds));
      root.put("totalSeconds", Math.round(totalSeconds));
      ObjectNode ps = root.putObject("presets");
      for (MatchPreset p : MatchPreset.values()) {
        ObjectNode n = ps.putObject(p.name());
        n.put("threshold", p.threshold());
        n.put("strictness", p.strictness().name());
        n.put("default", p == MatchPreset.DEFAULT);
        Histogram h = latency.get(p);
        n.put("latencyP50Micros", h.getValueAtPercentile(50) / 1e3);
        n.put("latencyP99Micros", h.getValueAtPercentile(99) / 1e3);
        ObjectNode per = n.putObject("sets");
        for (String set : sets) {
          per.set(set, counts(m, presets.get(set).get(p)));
        }
        ObjectNode kn = n.putObject("kinds");
        for (var set : kinds.entrySet()) {
          for (var kind : set.getValue().entrySet()) {
            kn.set(set.getKey() + "/" + kind.getKey(), counts(m, kind.getValue().get(p)));
          }
        }
      }
      ObjectNode cs = root.putObject("curves");
      for (String set : sets) {
        ObjectNode sn = cs.putObject(set);
        for (GuardStrictness s : LEVELS) {
          ArrayNode arr = sn.putArray(s.name());
          for (int t = 0; t < THRESHOLDS.length; t++) {
            ObjectNode pt = counts(m, curves.get(set).get(s)[t]);
            pt.put("threshold", THRESHOLDS[t]);
            arr.add(pt);
          }
        }
      }
      m.writeValue(file.toFile(), root);
    }

    private static ObjectNode counts(ObjectMapper m, Counts c) {
      ObjectNode n = m.createObjectNode();
      n.put("pairs", c.positives() + c.negatives());
      n.put("positives", c.positives());
      n.put("negatives", c.negatives());
      n.put("tp", c.tp);
      n.put("fp", c.fp);
      n.put("tn", c.tn);
      n.put("fn", c.fn);
      putRate(n, "precision", c.precision());
      putRate(n, "recall", c.recall());
      putRate(n, "fpr", c.fpr());
      return n;
    }

    private static void putRate(ObjectNode n, String key, double v) {
      if (Double.isNaN(v)) {
        n.putNull(key);
      } else {
        n.put(key, Math.round(v * 10000) / 10000.0);
      }
    }
  }
}
