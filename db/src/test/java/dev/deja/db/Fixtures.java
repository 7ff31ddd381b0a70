package dev.deja.db;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Test data with realistic structure: unit vectors, perturbations, hex keys. */
final class Fixtures {

  static final String MODEL = "flux-schnell";
  static final String EMBEDDER = "bge-small-en-v1.5";

  private Fixtures() {}

  static String key(String seed) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(seed.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static float[] unitVector(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return normalize(v);
  }

  /** {@code base} moved by noise of relative size {@code amount}, renormalized. */
  static float[] perturb(Random r, float[] base, double amount) {
    float[] v = new float[base.length];
    double scale = amount / Math.sqrt(base.length);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (base[i] + r.nextGaussian() * scale);
    }
    return normalize(v);
  }

  static float[] normalize(float[] v) {
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    n = Math.sqrt(n);
    for (int i = 0; i < v.length; i++) {
      v[i] /= (float) n;
    }
    return v;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  static byte[] image(Random r, int size) {
    byte[] b = new byte[size];
    r.nextBytes(b);
    return b;
  }

  static NewEntry entry(String key, String prompt, String bucket, float[] embedding,
      Instant expiresAt) {
    return entry(key, prompt, MODEL, bucket, embedding, expiresAt);
  }

  static NewEntry entry(String key, String prompt, String model, String bucket,
      float[] embedding, Instant expiresAt) {
    return new NewEntry(key, new StoredRequest(prompt, prompt.toLowerCase(), model, 1024, 576,
        null, "standard", null, null, Map.of("steps", "4"), bucket), embedding,
        embedding == null ? null : EMBEDDER, 200, "image/png",
        Map.of("X-Origin", List.of("test")), expiresAt);
  }
}
