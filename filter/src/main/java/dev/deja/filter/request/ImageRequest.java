package dev.deja.filter.request;

import java.util.List;
import java.util.SortedMap;

/**
 * A cacheable image request after parsing and defaults: everything that decides which image the
 * origin returns, and nothing else.
 *
 * @param path the cached path prefix the request matched, e.g. {@code /prompt/}
 * @param promptLocation where the request carried the prompt: {@code /prompt/a%20cat} and {@code
 *     /prompt/?prompt=a%20cat} are two different requests to the origin, so they are two requests
 *     to the cache too
 * @param prompt the prompt decoded once, NFC-normalized and trimmed (case and wording kept)
 * @param model the model, after defaults
 * @param width width in pixels, after defaults
 * @param height height in pixels, after defaults
 * @param seed the seed, or null when the request has none; {@code 0} is a real seed
 * @param params every other output-affecting parameter, sorted by name, values in request order
 *     joined by {@code ,}; excludes prompt, model, width, height and seed
 * @param imageInputs the full input-image list in request order (empty when none)
 * @param tenant the tenant key when tenancy is configured, else null
 */
public record ImageRequest(
    String path,
    PromptLocation promptLocation,
    String prompt,
    String model,
    int width,
    int height,
    Long seed,
    SortedMap<String, String> params,
    List<String> imageInputs,
    String tenant) {

  /** Where a request carries its prompt. */
  public enum PromptLocation {
    /** After the route prefix, percent-encoded: {@code /prompt/a%20cat}. */
    PATH,
    /** In the prompt query parameter, form-encoded: {@code /prompt/?prompt=a+cat}. */
    QUERY
  }

  public ImageRequest {
    params = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(params));
    imageInputs = List.copyOf(imageInputs);
  }

  /** Whether the request named a seed. Without one the origin picks the seed itself. */
  public boolean seeded() {
    return seed != null;
  }

  /** Convenience accessor for an output-affecting parameter other than the dedicated ones. */
  public String param(String name) {
    return params.get(name);
  }
}
