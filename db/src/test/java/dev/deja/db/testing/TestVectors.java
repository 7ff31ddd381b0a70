package dev.deja.db.testing;

import java.util.Random;

/** Embedding-like test vectors: random unit vectors, perturbations of them, cosine. */
public final class TestVectors {

  private TestVectors() {}

  /** A random direction in {@code dim} dimensions, unit length. */
  public static float[] unitVector(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return normalize(v);
  }

  /** {@code base} moved by noise of relative size {@code amount}, renormalized. */
  public static float[] perturb(Random r, float[] base, double amount) {
    float[] v = new float[base.length];
    double scale = amount / Math.sqrt(base.length);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (base[i] + r.nextGaussian() * scale);
    }
    return normalize(v);
  }

  /** Scales {@code v} to unit length in place and returns it. */
  public static float[] normalize(float[] v) {
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

  public static double cosine(float[] a, float[] b) {
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
}
