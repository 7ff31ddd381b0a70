package dev.deja.db;

import java.time.Instant;

/**
 * An operator's verdict on a served semantic hit: a labelled prompt pair.
 *
 * @param requestedPrompt prompt_a, the prompt that was requested
 * @param matchedPrompt prompt_b, the prompt whose image answered it
 * @param correct the label: whether serving prompt_b's image for prompt_a was right
 * @param similarity similarity when it was served
 * @param embeddingModelId the embedding model that compared them, or {@code null}
 * @param aliasKey the served request's key
 * @param targetKey the matched entry's key
 * @param bucket partition
 * @param model the request's model
 * @param decidedBy who gave the verdict
 * @param decidedAt when
 */
public record MatchFeedback(
    String requestedPrompt,
    String matchedPrompt,
    boolean correct,
    double similarity,
    String embeddingModelId,
    String aliasKey,
    String targetKey,
    String bucket,
    String model,
    String decidedBy,
    Instant decidedAt) {}
