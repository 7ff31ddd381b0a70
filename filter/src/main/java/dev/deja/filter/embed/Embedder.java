package dev.deja.filter.embed;

import java.util.Optional;

/**
 * Turns a prompt into an L2-normalized vector.
 *
 * <p>Implementations are thread-safe and shared by all requests. The filter treats every failure as
 * "no semantic step for this request": it never fails a request because embedding failed.
 */
public interface Embedder extends AutoCloseable {

  /**
   * Stable identity of the model that produced the vectors, e.g. {@code bge-small-en-v1.5-q@3f2a9c1d}
   * (name + SHA-256 prefix of the model file). Stored with every entry; vectors of different model
   * ids are never compared.
   */
  String modelId();

  /** Number of dimensions of every vector this embedder returns. */
  int dimension();

  /**
   * Embeds the prompt after {@link dev.deja.filter.text.Normalize#forEmbedding(String) normalization}.
   *
   * @return the unit-length vector, or empty when the normalized prompt is blank or longer than
   *     the model's window (a vector of only its beginning would match every prompt that shares
   *     that beginning): the caller skips the semantic step and stores the entry without a vector
   *     (exact hits only)
   * @throws EmbeddingException when the model fails; callers fall back to the origin
   */
  Optional<float[]> embed(String prompt);

  @Override
  void close();
}
