package dev.deja.filter.embed;

import dev.deja.filter.text.Normalize;

/**
 * Kept only for callers not yet moved (DejaCache, on a branch being merged); the normalization
 * lives in {@link Normalize}, the one place for it.
 *
 * @deprecated use {@link Normalize#forEmbedding(String)}
 */
@Deprecated
public final class PromptNormalizer {

  private PromptNormalizer() {}

  /** {@link Normalize#forEmbedding(String)}. */
  public static String normalize(String prompt) {
    return Normalize.forEmbedding(prompt);
  }
}
