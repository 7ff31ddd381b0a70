package dev.deja.filter.embed;

/**
 * Creates the configured {@link Embedder}: the ONNX model behind a prompt cache.
 *
 * <pre>{@code
 * try (Embedder embedder = Embedders.create(EmbedderSettings.defaults())) {
 *   Optional<float[]> vector = embedder.embed("a red cat sitting on a blue car");
 * }
 * }</pre>
 */
public final class Embedders {

  private Embedders() {}

  /**
   * Loads the model and tokenizer, checks them, and runs the warm-up inference if enabled. Never
   * touches the network.
   *
   * @throws EmbeddingException when the model or tokenizer is missing or unreadable, naming the
   *     file or resource (and, for a missing bundled model, the artifact to add)
   */
  public static Embedder create(EmbedderSettings settings) {
    OnnxEmbedder onnx = new OnnxEmbedder(ModelSource.resolve(settings), settings);
    return settings.cacheSize() == 0 ? onnx : new CachingEmbedder(onnx, settings.cacheSize());
  }

  /** {@link #create(EmbedderSettings)} with {@link EmbedderSettings#defaults()}. */
  public static Embedder createDefault() {
    return create(EmbedderSettings.defaults());
  }
}
