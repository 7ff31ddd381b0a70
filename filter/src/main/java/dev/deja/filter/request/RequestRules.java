package dev.deja.filter.request;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the parser needs to know about the image API in front of which the cache sits.
 *
 * @param pathPrefixes cached path prefixes relative to the context path, each ending with '/'
 *     (from patterns like {@code /prompt/*})
 * @param promptParam query parameter carrying the prompt when it is not in the path
 * @param knownParams output-affecting parameters the cache understands; a request with any other
 *     parameter is passed through and not cached
 * @param ignoredParams parameters that never affect the image (tokens, referrers) and are dropped
 *     from the key
 * @param defaults values applied before keying, so an explicit default and an absent parameter
 *     share one entry
 * @param maxPromptChars longer prompts are passed through and not cached
 * @param tenantHeader request header holding the tenant key, or null when tenancy is off
 */
public record RequestRules(
    List<String> pathPrefixes,
    String promptParam,
    Set<String> knownParams,
    Set<String> ignoredParams,
    Map<String, String> defaults,
    int maxPromptChars,
    String tenantHeader) {

  /**
   * The route of the original image API, {@code /prompt/{prompt}}: the default of the {@code
   * paths} setting, and the route whose partitions carry no route hash ({@link Partition}).
   */
  public static final String DEFAULT_ROUTE = "/prompt/";

  public RequestRules {
    pathPrefixes = List.copyOf(pathPrefixes);
    knownParams = Set.copyOf(knownParams);
    ignoredParams = Set.copyOf(ignoredParams);
    defaults = Map.copyOf(defaults);
  }
}
