package dev.deja.filter.embed;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.deja.filter.text.Normalize;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;

/**
 * Remembers the vector of each normalized prompt, so a repeated prompt is never embedded twice.
 *
 * <p>Keyed by {@link Normalize#forEmbedding(String)}, so prompts that differ only in case,
 * spacing or punctuation share one entry. Concurrent misses on the same prompt run one inference;
 * the others wait for it. Failures are not cached. Cached arrays are never handed out: every call
 * returns a fresh copy the caller may modify.
 */
final class CachingEmbedder implements Embedder {

  private final Embedder delegate;
  private final ConcurrentMap<String, CompletableFuture<float[]>> vectors;

  CachingEmbedder(Embedder delegate, int maximumSize) {
    this.delegate = delegate;
    AsyncCache<String, float[]> cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .executor(Runnable::run)
        .buildAsync();
    this.vectors = cache.asMap();
  }

  @Override
  public String modelId() {
    return delegate.modelId();
  }

  @Override
  public int dimension() {
    return delegate.dimension();
  }

  @Override
  public Optional<float[]> embed(String prompt) {
    String text = Normalize.forEmbedding(prompt);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    CompletableFuture<float[]> cached = vectors.get(text);
    if (cached == null) {
      CompletableFuture<float[]> mine = new CompletableFuture<>();
      cached = vectors.putIfAbsent(text, mine);
      if (cached == null) {
        return copy(compute(text, mine));
      }
    }
    return copy(await(cached));
  }

  /** Callers get their own copy; {@link #NO_VECTOR} is empty. */
  private static Optional<float[]> copy(float[] vector) {
    return vector.length == 0 ? Optional.empty() : Optional.of(vector.clone());
  }

  /**
   * Cached for a prompt the model gives no vector (longer than its window); Caffeine drops a
   * future completed with null, so "none" needs a value of its own.
   */
  private static final float[] NO_VECTOR = new float[0];

  private float[] compute(String text, CompletableFuture<float[]> mine) {
    try {
      // Empty for a non-blank prompt: longer than the model's window. Remembered like a vector,
      // so a popular long prompt is not tokenized again on every request.
      float[] vector = delegate.embed(text).orElse(NO_VECTOR);
      mine.complete(vector);
      return vector;
    } catch (RuntimeException | Error e) {
      vectors.remove(text, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private static float[] await(CompletableFuture<float[]> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddingException("interrupted while waiting for a concurrent embedding", e);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof EmbeddingException ee) {
        throw new EmbeddingException(ee.getMessage(), ee);
      }
      throw new EmbeddingException("concurrent embedding failed: " + cause, cause);
    }
  }

  /** Number of cached prompts (approximate); for tests and metrics. */
  long size() {
    return vectors.size();
  }

  Embedder delegate() {
    return delegate;
  }

  @Override
  public void close() {
    vectors.clear();
    delegate.close();
  }

  @Override
  public String toString() {
    return "CachingEmbedder{" + delegate + "}";
  }
}
