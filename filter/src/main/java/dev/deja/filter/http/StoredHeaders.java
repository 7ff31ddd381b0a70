package dev.deja.filter.http;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The allow-list of origin response headers that are stored with an entry and replayed on its
 * hits: {@link CacheHeaders#STORED} plus the names an operator adds. Anything else the origin sent
 * ({@code Authorization}, {@code X-Request-Id}, private headers) belonged to the exchange that
 * produced the image and must not reach every later client.
 *
 * @param extra lower-case names added by the operator ({@code storedHeaders} setting)
 */
public record StoredHeaders(Set<String> extra) {

  /** Only the built-in names. */
  public static final StoredHeaders DEFAULT = new StoredHeaders(Set.of());

  /**
   * @throws IllegalArgumentException when a name is one Deja never stores (see {@link
   *     CacheHeaders#whyNeverStored})
   */
  public StoredHeaders {
    for (String name : extra) {
      String why = CacheHeaders.whyNeverStored(name);
      if (why != null) {
        throw new IllegalArgumentException(name + " is never stored: " + why);
      }
    }
    extra =
        extra.stream()
            .map(n -> n.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
  }

  /** The built-in names plus {@code names} (any case). */
  public static StoredHeaders adding(Collection<String> names) {
    return new StoredHeaders(Set.copyOf(names));
  }

  /** Whether the origin's header of this name is stored and replayed. */
  public boolean allows(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return CacheHeaders.STORED.contains(lower) || extra.contains(lower);
  }

  /** The allowed headers of {@code headers}, in their order. */
  public Map<String, List<String>> retain(Map<String, List<String>> headers) {
    Map<String, List<String>> kept = new LinkedHashMap<>();
    headers.forEach(
        (name, values) -> {
          if (allows(name)) {
            kept.put(name, values);
          }
        });
    return kept;
  }
}
