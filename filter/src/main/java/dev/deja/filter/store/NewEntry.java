package dev.deja.filter.store;

import dev.deja.filter.request.CacheKey;
import dev.deja.filter.request.ImageRequest;
import dev.deja.filter.request.Partition;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An origin response to store.
 *
 * @param key exact key
 * @param request the parsed request
 * @param partition its partition
 * @param normalizedPrompt the prompt as embedded
 * @param embedding unit vector of the prompt, or null when it could not be computed
 * @param embeddingModelId the model that produced {@code embedding}
 * @param status HTTP status
 * @param contentType response content type
 * @param headers end-to-end response headers worth replaying
 * @param body complete response body
 * @param expiresAt when the entry expires, or null
 * @param replace replace an existing entry with the same key (client asked for no-cache)
 */
public record NewEntry(
    CacheKey key,
    ImageRequest request,
    Partition partition,
    String normalizedPrompt,
    float[] embedding,
    String embeddingModelId,
    int status,
    String contentType,
    Map<String, List<String>> headers,
    byte[] body,
    Instant expiresAt,
    boolean replace) {}
