package dev.deja.db;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A semantic hit remembered under the requesting prompt's own key, so the next identical request
 * is an exact hit. Shares the target's image; status, content type and headers come from the
 * target.
 *
 * @param cacheKey the alias's own exact key
 * @param targetKey key of the origin entry it points at
 * @param similarity similarity between the two prompts when the alias was made
 * @param prompt prompt as sent
 * @param normalizedPrompt normalized prompt
 * @param model model name
 * @param width width or {@code null}
 * @param height height or {@code null}
 * @param seed seed or {@code null}
 * @param quality quality or {@code null}
 * @param negativePrompt negative prompt or {@code null}
 * @param imageInputsHash hash of input images or {@code null}
 * @param params other output-affecting parameters
 * @param bucket partition
 * @param embeddingModelId embedding model id or {@code null}
 * @param expiresAt expiry or {@code null}; never later than the target's in practice
 */
public record NewAlias(
    String cacheKey,
    String targetKey,
    double similarity,
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
    String embeddingModelId,
    Instant expiresAt) {

  public NewAlias {
    Objects.requireNonNull(cacheKey, "cacheKey");
    Objects.requireNonNull(targetKey, "targetKey");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(normalizedPrompt, "normalizedPrompt");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(bucket, "bucket");
    params = params == null ? Map.of() : Map.copyOf(params);
  }
}
