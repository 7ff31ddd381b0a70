package dev.deja.bench.precision;

import dev.deja.filter.embed.Embedder;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every distinct text embedded once, in parallel, kept in memory; optionally persisted to a file
 * keyed by the model id so that a re-run with the same model skips the model entirely.
 */
final class Vectors {

  private final Map<String, float[]> byText = new HashMap<>();

  float[] get(String text) {
    float[] v = byText.get(text);
    if (v == null) {
      throw new IllegalStateException("text was not embedded: " + text);
    }
    return v;
  }

  int size() {
    return byText.size();
  }

  /** Embeds the texts not yet known; blank texts get a zero vector (similarity 0). */
  void embedAll(Embedder embedder, Collection<String> texts, int threads) throws Exception {
    List<String> todo = new ArrayList<>();
    for (String t : new LinkedHashSet<>(texts)) {
      if (!byText.containsKey(t)) {
        todo.add(t);
      }
    }
    if (todo.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<float[]>> futures = new ArrayList<>(todo.size());
      for (String t : todo) {
        futures.add(pool.submit(() -> {
          float[] v = embedder.embed(t).orElse(new float[embedder.dimension()]);
          int n = done.incrementAndGet();
          if (n % 5000 == 0) {
            System.err.printf("  embedded %d/%d (%.0f s)%n", n, todo.size(),
                (System.nanoTime() - start) / 1e9);
          }
          return v;
        }));
      }
      for (int i = 0; i < todo.size(); i++) {
        byText.put(todo.get(i), futures.get(i).get());
      }
    } finally {
      pool.shutdown();
    }
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }

  void load(Path file, String modelId) throws IOException {
    if (!Files.isRegularFile(file)) {
      return;
    }
    try (DataInputStream in = new DataInputStream(
        new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      if (!in.readUTF().equals(modelId)) {
        System.err.println("vector cache " + file + " is for another model; ignored");
        return;
      }
      int n = in.readInt();
      int dim = in.readInt();
      for (int i = 0; i < n; i++) {
        String text = in.readUTF();
        float[] v = new float[dim];
        for (int k = 0; k < dim; k++) {
          v[k] = in.readFloat();
        }
        byText.put(text, v);
      }
    }
  }

  void save(Path file, String modelId, int dim) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    try (DataOutputStream out = new DataOutputStream(
        new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
      out.writeUTF(modelId);
      out.writeInt(byText.size());
      out.writeInt(dim);
      for (Map.Entry<String, float[]> e : byText.entrySet()) {
        out.writeUTF(e.getKey());
        for (float f : e.getValue()) {
          out.writeFloat(f);
        }
      }
    }
  }
}
