package dev.deja.filter.embed;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;

/**
 * Remembers the vector of each normalized prompt, so a repeated prompt is never embedded twice.
 *
 * <p>Keyed by {@link PromptNormalizer#normalize(String)}, so prompts that differ only in case,
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
    String text = PromptNormalizer.normalize(prompt);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    CompletableFuture<float[]> cached = vectors.get(text);
    if (cached == null) {
      CompletableFuture<float[]> mine = new CompletableFuture<>();
      cached = vectors.putIfAbsent(text, mine);
      if (cached == null) {
        return Optional.of(compute(text, mine).clone());
      }
    }
    return Optional.of(await(cached).clone());
  }

  private float[] compute(String text, CompletableFuture<float[]> mine) {
    try {
      float[] vector = delegate.embed(text)
          .orElseThrow(() -> new EmbeddingException("no vector for normalized prompt '" + text
              + "': normalization is not idempotent"));
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
