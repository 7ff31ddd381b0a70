package dev.deja.db;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An origin response to cache. The image goes separately to {@link CacheStore#store}; its
 * SHA-256 is computed there.
 *
 * @param cacheKey exact cache key, 64 lowercase hex chars
 * @param request the prompt and output-affecting parameters it answers
 * @param embedding prompt embedding, or {@code null} (exact-only entry)
 * @param embeddingModelId id of the embedding model, required when {@code embedding} is set
 * @param status HTTP status
 * @param contentType response content type
 * @param headers response headers to replay
 * @param expiresAt expiry, or {@code null} for never
 */
public record NewEntry(
    String cacheKey,
    StoredRequest request,
    float[] embedding,
    String embeddingModelId,
    int status,
    String contentType,
    Map<String, List<String>> headers,
    Instant expiresAt) {

  public NewEntry {
    Objects.requireNonNull(cacheKey, "cacheKey");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(contentType, "contentType");
    if (embedding != null && embeddingModelId == null) {
      throw new IllegalArgumentException("embeddingModelId is required when embedding is set");
    }
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }
}
