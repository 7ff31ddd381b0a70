package dev.deja.db;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An origin response to cache. The image goes separately to {@link CacheRepository#store}; its
 * SHA-256 is computed there.
 *
 * @param cacheKey exact cache key, 64 lowercase hex chars
 * @param prompt prompt as sent
 * @param normalizedPrompt prompt after normalization (what was embedded)
 * @param model model name
 * @param width image width, or {@code null}
 * @param height image height, or {@code null}
 * @param seed seed, {@code null} when unseeded (0 is a real seed)
 * @param quality quality setting, or {@code null}
 * @param negativePrompt negative prompt, or {@code null}
 * @param imageInputsHash hash of input images, or {@code null}
 * @param params every other output-affecting parameter
 * @param bucket partition as readable text, e.g. {@code 576x1024_seed401853749}
 * @param embedding prompt embedding, or {@code null} (exact-only entry)
 * @param embeddingModelId id of the embedding model, required when {@code embedding} is set
 * @param status HTTP status
 * @param contentType response content type
 * @param headers response headers to replay
 * @param expiresAt expiry, or {@code null} for never
 */
public record NewEntry(
    String cacheKey,
    String prompt,
    String normalizedPrompt,
    String model,
    Integer width,
    Integer height,
    Long seed,
    String quality,
    String negativePrompt,
    String imageInputsHash,
    Map<String, String> params,
    String bucket,
    float[] embedding,
    String embeddingModelId,
    int status,
    String contentType,
    Map<String, List<String>> headers,
    Instant expiresAt) {

  public NewEntry {
    Objects.requireNonNull(cacheKey, "cacheKey");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(normalizedPrompt, "normalizedPrompt");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(contentType, "contentType");
    if (embedding != null && embeddingModelId == null) {
      throw new IllegalArgumentException("embeddingModelId is required when embedding is set");
    }
    params = params == null ? Map.of() : Map.copyOf(params);
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }
}
