package dev.deja.filter.embed;

/**
 * Models loaded once per test JVM: loading is the slow part, and the embedder is thread-safe and
 * stateless apart from its counters, so test classes share it instead of reloading it.
 */
final class SharedModels {

  private SharedModels() {}

  /** The bundled int8 model without the prompt cache, so every call runs an inference. */
  static OnnxEmbedder int8() {
    return Int8.INSTANCE;
  }

  static float cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return (float) dot;
  }

  static double norm(float[] v) {
    double squares = 0;
    for (float x : v) {
      squares += (double) x * x;
    }
    return Math.sqrt(squares);
  }

  private static final class Int8 {
    static final OnnxEmbedder INSTANCE = new OnnxEmbedder(
        ModelSource.bundled(EmbedderSettings.BGE_SMALL_INT8),
        EmbedderSettings.builder().cacheSize(0).build());
  }
}
