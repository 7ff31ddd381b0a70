package dev.deja.db;

import java.util.Map;
import java.util.Objects;

/**
 * What an entry or an alias was asked for: the prompt and every output-affecting parameter, as
 * stored in their columns. One record for both, so the two are written the same way.
 *
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
 */
public record StoredRequest(
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
    String bucket) {

  public StoredRequest {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(normalizedPrompt, "normalizedPrompt");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(bucket, "bucket");
    params = params == null ? Map.of() : Map.copyOf(params);
  }
}
