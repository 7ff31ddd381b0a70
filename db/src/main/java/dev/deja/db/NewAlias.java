package dev.deja.db;

import java.time.Instant;
import java.util.Objects;

/**
 * A semantic hit remembered under the requesting prompt's own key, so the next identical request
 * is an exact hit. Shares the target's image; status, content type and headers come from the
 * target.
 *
 * @param cacheKey the alias's own exact key
 * @param targetKey key of the origin entry it points at
 * @param similarity similarity between the two prompts when the alias was made
 * @param request the prompt and output-affecting parameters of the requesting prompt
 * @param embeddingModelId embedding model id or {@code null}
 * @param expiresAt expiry or {@code null}; never later than the target's in practice
 */
public record NewAlias(
    String cacheKey,
    String targetKey,
    double similarity,
    StoredRequest request,
    String embeddingModelId,
    Instant expiresAt) {

  public NewAlias {
    Objects.requireNonNull(cacheKey, "cacheKey");
    Objects.requireNonNull(targetKey, "targetKey");
    Objects.requireNonNull(request, "request");
  }
}
