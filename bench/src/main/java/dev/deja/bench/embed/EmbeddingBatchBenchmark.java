package dev.deja.bench.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.deja.bench.EvalData;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 14, item 4: would batching concurrent embeddings into one ONNX Runtime call raise
 * throughput on this machine? Runs the bundled int8 BGE-small (the shipped model, one intra-op
 * thread as shipped) on real COCO captions, in batches of 1 to 16 prompts padded to the longest,
 * and prints per batch size: CPU milliseconds per prompt on the calling thread (what a batch
 * saves or wastes, whatever else runs on the machine) and prompts/s with one and two caller
 * threads (what 2 cores give).
 *
 * <p>Run: {@code java -cp <bench classpath> dev.deja.bench.embed.EmbeddingBatchBenchmark
 * [--eval-dir DIR] [--seconds S]}.
 */
public final class EmbeddingBatchBenchmark {

  private static final int[] BATCHES = {1, 2, 4, 8, 16};

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final List<long[]> prompts;

  private EmbeddingBatchBenchmark(OrtSession session, List<long[]> prompts) {
    this.session = session;
    this.prompts = prompts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "4"));
    List<long[]> prompts = captions(EvalData.dir(opts.get("eval-dir")), 2000);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    byte[] model;
    try (InputStream in = EmbeddingBatchBenchmark.class.getClassLoader()
        .getResourceAsStream("bge-small-en-v1.5-q.onnx")) {
      model = in.readAllBytes();
    }
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      try (OrtSession session = env.createSession(model, options)) {
        new EmbeddingBatchBenchmark(session, prompts).run(seconds);
      }
    }
  }

  private void run(double seconds) throws Exception {
    double mean = prompts.stream().mapToInt(p -> p.length).average().orElse(0);
    System.out.printf(Locale.ROOT, "%d COCO captions, %.1f tokens on average; %d cores; load %s%n",
        prompts.size(), mean, Runtime.getRuntime().availableProcessors(), load());
    System.out.println("| batch | CPU ms per prompt (1 thread) | prompts/s, 1 thread |"
        + " prompts/s, 2 threads |");
    System.out.println("|---:|---:|---:|---:|");
    for (int batch : BATCHES) {
      double[] one = measure(batch, 1, seconds);
      double[] two = measure(batch, 2, seconds);
      System.out.printf(Locale.ROOT, "| %d | %.2f | %.0f | %.0f |%n", batch, one[0], one[1],
          two[1]);
    }
    System.out.println("load after: " + load());
  }

  /** {CPU ms per prompt, prompts per second} for {@code threads} callers running batches. */
  private double[] measure(int batch, int threads, double seconds) throws Exception {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    AtomicLong done = new AtomicLong();
    AtomicLong cpuNanos = new AtomicLong();
    CountDownLatch ready = new CountDownLatch(threads);
    long[] window = new long[2];
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t * 997;
      Thread w = new Thread(() -> {
        try {
          for (int i = 0; i < 20; i++) {
            infer(batch, offset + i * batch);
          }
          ready.countDown();
          ready.await();
          long end = System.nanoTime() + (long) (seconds * 1e9);
          long cpu0 = mx.getCurrentThreadCpuTime();
          long n = 0;
          for (int i = 0; System.nanoTime() < end; i++) {
            infer(batch, offset + i * batch);
            n += batch;
          }
          cpuNanos.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
          done.addAndGet(n);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      workers.add(w);
      w.start();
    }
    ready.await();
    window[0] = System.nanoTime();
    for (Thread w : workers) {
      w.join();
    }
    window[1] = System.nanoTime();
    double wall = (window[1] - window[0]) / 1e9;
    return new double[] {cpuNanos.get() / 1e6 / done.get(), done.get() / wall};
  }

  /** One model call on {@code batch} prompts from {@code start}, padded to the longest (CLS). */
  private void infer(int batch, int start) throws OrtException {
    int width = 0;
    for (int b = 0; b < batch; b++) {
      width = Math.max(width, prompts.get((start + b) % prompts.size()).length);
    }
    long[] ids = new long[batch * width];
    long[] mask = new long[batch * width];
    for (int b = 0; b < batch; b++) {
      long[] p = prompts.get((start + b) % prompts.size());
      System.arraycopy(p, 0, ids, b * width, p.length);
      for (int i = 0; i < p.length; i++) {
        mask[b * width + i] = 1;
      }
    }
    long[] shape = {batch, width};
    try (OnnxTensor idT = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
        OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
        OnnxTensor typeT = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]),
            shape);
        OrtSession.Result r = session.run(Map.of("input_ids", idT, "attention_mask", maskT,
            "token_type_ids", typeT))) {
      if (r.size() == 0) {
        throw new IllegalStateException("no output");
      }
    }
  }

  /** Token ids of the first {@code n} COCO captions, as the shipped tokenizer makes them. */
  private static List<long[]> captions(Path evalDir, int n) throws Exception {
    List<String> lines = Files.readAllLines(evalDir.resolve("coco_captions_val2017_flat.tsv"));
    List<long[]> out = new ArrayList<>();
    try (InputStream in = EmbeddingBatchBenchmark.class.getClassLoader()
            .getResourceAsStream("bge-small-en-v1.5-q-tokenizer.json");
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(in,
            Map.of("truncation", "true", "padding", "false", "maxLength", "512"))) {
      for (String line : lines) {
        String[] f = line.split("\t");
        String text = f[f.length - 1];
        if (text.isBlank() || text.equals("caption") || out.size() >= n) {
          continue;
        }
        Encoding e = tokenizer.encode(text.toLowerCase(Locale.ROOT));
        out.add(e.getIds());
      }
    }
    return out;
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
