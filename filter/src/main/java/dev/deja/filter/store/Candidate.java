package dev.deja.filter.store;

/**
 * A nearest neighbour inside a partition.
 *
 * @param key exact key of the cached entry
 * @param prompt the prompt the cached image was generated for
 * @param similarity cosine similarity to the request's prompt (1 = same direction)
 */
public record Candidate(String key, String prompt, double similarity) {}
