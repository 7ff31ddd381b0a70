package dev.deja.bench.embed;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.deja.filter.embed.Embedder;
import dev.deja.filter.embed.EmbedderSettings;
import dev.deja.filter.embed.Embedders;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Latency of one embedding: bundled int8 and fp32 BGE-small, 1 and 2 intra-op threads, prompts of
 * 8, 32, 77 and 512 tokens (special tokens included), cache miss (every call runs the model) and
 * cache hit. Single caller thread; warm-up iterations are discarded.
 *
 * <p>Run: {@code mvn -B -o -q -pl bench -am package -DskipTests -Pembed-bench}. Prints a Markdown
 * table and writes it to {@code bench/target/embedding-benchmark.md}. Arguments: {@code
 * [secondsPerCase]} (default 3).
 */
public final class EmbeddingBenchmark {

  private static final int[] TOKENS = {8, 32, 77, 512};
  private static final int VARIANTS = 64;
  /** Common English words that are one WordPiece each in the BGE (BERT uncased) vocabulary. */
  private static final String[] WORDS = ("a red cat sitting on the blue car in digital art style"
      + " with soft light and warm colors under clear sky near old town house by river at night"
      + " dog playing snow forest mountain lake photo of small green bird tree big white horse"
      + " field sunset city street rain girl man woman child boat sea beach flower garden").split(" ");

  private EmbeddingBenchmark() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
    long budget = (long) (seconds * 1e9);
    StringBuilder out = new StringBuilder();
    Map<Integer, List<String>> prompts = prompts();
    String loadBefore = loadAverage();

    out.append("| model | intra-op threads | prompt tokens | path | p50 ms | p90 ms | p99 ms |"
        + " mean ms | samples |\n");
    out.append("|---|---:|---:|---|---:|---:|---:|---:|---:|\n");
    List<String> loads = new ArrayList<>();
    for (String model : List.of(EmbedderSettings.BGE_SMALL_INT8, EmbedderSettings.BGE_SMALL_FP32)) {
      for (int threads : new int[] {1, 2}) {
        long start = System.nanoTime();
        try (Embedder embedder = Embedders.create(EmbedderSettings.builder().model(model)
            .intraOpThreads(threads).cacheSize(0).build())) {
          loads.add(String.format(Locale.ROOT, "%s, %d intra-op thread(s): %.2f s", model, threads,
              (System.nanoTime() - start) / 1e9));
          for (int tokens : TOKENS) {
            Histogram h = measure(embedder, prompts.get(tokens), budget);
            row(out, model, threads, tokens, "miss (inference)", h);
            System.out.print(".");
          }
        }
      }
    }
    try (Embedder cached = Embedders.create(EmbedderSettings.defaults())) {
      for (int tokens : TOKENS) {
        List<String> hot = prompts.get(tokens);
        for (String prompt : hot) {
          cached.embed(prompt);
        }
        Histogram h = measure(cached, hot, Math.min(budget, 1_000_000_000L));
        row(out, EmbedderSettings.BGE_SMALL_INT8, 1, tokens, "cache hit", h);
      }
    }
    out.append("\nMachine: ").append(Runtime.getRuntime().availableProcessors())
        .append(" processors, ").append(cpuModel()).append("; load average before: ")
        .append(loadBefore).append(", after: ").append(loadAverage()).append("\n");
    out.append("\nLoad + warm-up (Embedders.create): ").append(String.join("; ", loads))
        .append("\n\n").append(similarities());
    System.out.println();
    System.out.println(out);
    Path report = Path.of("target", "embedding-benchmark.md");
    Files.createDirectories(report.getParent());
    Files.writeString(report, out);
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).strip())
          .findFirst().orElse("unknown CPU");
    } catch (IOException | RuntimeException e) {
      return "unknown CPU";
    }
  }

  /** Discards half a second (at least 10 calls) of warm-up, then times each call. */
  private static Histogram measure(Embedder embedder, List<String> prompts, long budgetNanos) {
    long warmEnd = System.nanoTime() + 500_000_000L;
    for (int i = 0; i < 10 || System.nanoTime() < warmEnd; i++) {
      embedder.embed(prompts.get(i % prompts.size()));
    }
    Histogram h = new Histogram(60_000_000_000L, 3);
    long end = System.nanoTime() + budgetNanos;
    for (int i = 0; i < 20 || (System.nanoTime() < end && i < 200_000); i++) {
      String prompt = prompts.get(i % prompts.size());
      long t0 = System.nanoTime();
      embedder.embed(prompt);
      h.recordValue(System.nanoTime() - t0);
    }
    return h;
  }

  private static void row(StringBuilder out, String model, int threads, int tokens, String path,
      Histogram h) {
    out.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s | %s | %s | %s | %d |%n",
        model, threads, tokens, path, ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getMean()),
        h.getTotalCount()));
  }

  private static String ms(double nanos) {
    return nanos < 100_000 ? String.format(Locale.ROOT, "%.4f", nanos / 1e6)
        : String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  /**
   * {@value #VARIANTS} different prompts per length (rotated word lists), each verified with the
   * model's own tokenizer to have exactly the target token count including [CLS] and [SEP].
   */
  private static Map<Integer, List<String>> prompts() throws IOException {
    try (InputStream in = EmbeddingBenchmark.class.getClassLoader()
            .getResourceAsStream("bge-small-en-v1.5-q-tokenizer.json");
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(in,
            Map.of("truncation", "false", "padding", "false"))) {
      Map<Integer, List<String>> byLength = new java.util.TreeMap<>();
      for (int tokens : TOKENS) {
        List<String> variants = new ArrayList<>();
        for (int v = 0; v < VARIANTS; v++) {
          String[] words = new String[tokens - 2];
          for (int i = 0; i < words.length; i++) {
            words[i] = WORDS[(i * 7 + v * 13 + i / WORDS.length) % WORDS.length];
          }
          String prompt = String.join(" ", words);
          int actual = tokenizer.encode(prompt).getIds().length;
          if (actual != tokens) {
            throw new IllegalStateException("prompt of " + actual + " tokens, wanted " + tokens
                + ": " + Arrays.toString(tokenizer.encode(prompt).getTokens()));
          }
          variants.add(prompt);
        }
        byLength.put(tokens, variants);
      }
      return byLength;
    }
  }

  /** The similarities quoted in issue #3, so a model change that moves them is visible. */
  private static String similarities() {
    String[][] pairs = {
        {"a red cat sitting on a blue car, digital art",
            "a blue cat sitting on a red car, digital art"},
        {"a red cat sitting on a blue car, digital art",
            "a red kitten sitting on a blue automobile, digital art"},
        {"three dogs playing in the snow", "four dogs playing in the snow"},
        {"a red cat sitting on a blue car, digital art",
            "a bowl of ramen on a wooden table, photo"}};
    StringBuilder out = new StringBuilder("| prompt A | prompt B | cosine int8 | cosine fp32 |\n"
        + "|---|---|---:|---:|\n");
    try (Embedder int8 = Embedders.create(EmbedderSettings.builder().cacheSize(0).build());
        Embedder fp32 = Embedders.create(EmbedderSettings.builder()
            .model(EmbedderSettings.BGE_SMALL_FP32).cacheSize(0).build())) {
      for (String[] pair : pairs) {
        out.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f |%n", pair[0], pair[1],
            cosine(int8, pair[0], pair[1]), cosine(fp32, pair[0], pair[1])));
      }
    }
    return out.toString();
  }

  private static double cosine(Embedder embedder, String a, String b) {
    float[] x = embedder.embed(a).orElseThrow();
    float[] y = embedder.embed(b).orElseThrow();
    double dot = 0;
    for (int i = 0; i < x.length; i++) {
      dot += (double) x[i] * y[i];
    }
    return dot;
  }
}
