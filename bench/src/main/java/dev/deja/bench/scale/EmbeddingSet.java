package dev.deja.bench.scale;

import dev.deja.filter.embed.Embedder;
import dev.deja.filter.embed.Embedders;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Real texts with their real embeddings: COCO captions and PAWS sentences from the evaluation
 * directory ({@link dev.deja.bench.EvalData}), embedded once with the production embedder ({@link Embedders#createDefault()}) and cached
 * in {@code bench/work/} (gitignored), since embedding thousands of texts takes minutes on 2
 * cores.
 */
public record EmbeddingSet(String modelId, List<String> texts, float[][] vectors) {

  public int dimension() {
    return vectors[0].length;
  }

  /** Loads {@code count} texts (half captions, half sentences) from the cache, or embeds them. */
  public static EmbeddingSet load(Path evalDir, Path workDir, int count) throws IOException {
    Path cache = workDir.resolve("embeddings-" + count + ".bin");
    if (Files.exists(cache)) {
      return read(cache);
    }
    List<String> texts = texts(evalDir, count);
    long start = System.nanoTime();
    float[][] vectors = new float[texts.size()][];
    String modelId;
    try (Embedder embedder = Embedders.createDefault()) {
      modelId = embedder.modelId();
      for (int i = 0; i < texts.size(); i++) {
        vectors[i] = embedder.embed(texts.get(i)).orElseThrow(
            () -> new IllegalStateException("the embedder gave no vector"));
        if (i % 2000 == 1999) {
          System.err.printf("embedded %d/%d texts (%.0f s)%n", i + 1, texts.size(),
              (System.nanoTime() - start) / 1e9);
        }
      }
    }
    EmbeddingSet set = new EmbeddingSet(modelId, texts, vectors);
    Files.createDirectories(workDir);
    Path tmp = Files.createTempFile(workDir, "embeddings", ".tmp");
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
        Files.newOutputStream(tmp), 1 << 20))) {
      out.writeUTF(modelId);
      out.writeInt(texts.size());
      out.writeInt(vectors[0].length);
      for (int i = 0; i < texts.size(); i++) {
        out.writeUTF(texts.get(i));
        for (float f : vectors[i]) {
          out.writeFloat(f);
        }
      }
    }
    Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING);
    return set;
  }

  private static EmbeddingSet read(Path cache) throws IOException {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(
        Files.newInputStream(cache), 1 << 20))) {
      String modelId = in.readUTF();
      int n = in.readInt();
      int dim = in.readInt();
      List<String> texts = new ArrayList<>(n);
      float[][] vectors = new float[n][dim];
      for (int i = 0; i < n; i++) {
        texts.add(in.readUTF());
        for (int d = 0; d < dim; d++) {
          vectors[i][d] = in.readFloat();
        }
      }
      return new EmbeddingSet(modelId, texts, vectors);
    }
  }

  /** Distinct COCO captions and PAWS sentences, alternating, {@code count} in all. */
  static List<String> texts(Path evalDir, int count) throws IOException {
    Set<String> captions = new LinkedHashSet<>();
    for (String line : Files.readAllLines(evalDir.resolve("coco_captions_val2017_flat.tsv"))) {
      String[] f = line.split("\t");
      if (f.length == 3 && !f[0].equals("image_id")) {
        captions.add(f[2].strip());
      }
    }
    Set<String> sentences = new LinkedHashSet<>();
    for (String line : Files.readAllLines(evalDir.resolve("paws_wiki_final_dev.tsv"))) {
      String[] f = line.split("\t");
      if (f.length >= 3 && !f[0].equals("id")) {
        sentences.add(f[1].strip());
        sentences.add(f[2].strip());
      }
    }
    List<String> a = new ArrayList<>(captions);
    List<String> b = new ArrayList<>(sentences);
    List<String> out = new ArrayList<>(count);
    for (int i = 0; out.size() < count && (i < a.size() || i < b.size()); i++) {
      if (i < a.size()) {
        out.add(a.get(i));
      }
      if (i < b.size() && out.size() < count) {
        out.add(b.get(i));
      }
    }
    return out;
  }
}
