package dev.deja.db;

import java.time.Instant;

/**
 * A semantic hit the cache served, as its alias row remembers it.
 *
 * @param aliasKey the served request's exact key (its {@code X-Cache-Key})
 * @param requestedPrompt the prompt that was requested
 * @param targetKey the entry whose image answered it
 * @param matchedPrompt that entry's prompt, or {@code null} if it is gone
 * @param similarity similarity of the two prompts when the hit was served
 * @param bucket partition, e.g. {@code 576x1024_seed401853749}
 * @param model the request's model
 * @param embeddingModelId the embedding model that compared them (the target's), or {@code null}
 * @param servedAt when the hit was served (the alias was created)
 * @param repeats how often the alias has been served since, as an exact hit
 */
public record ServedMatch(
    String aliasKey,
    String requestedPrompt,
    String targetKey,
    String matchedPrompt,
    double similarity,
    String bucket,
    String model,
    String embeddingModelId,
    Instant servedAt,
    long repeats) {}
