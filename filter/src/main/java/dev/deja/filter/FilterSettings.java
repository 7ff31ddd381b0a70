package dev.deja.filter;

import jakarta.servlet.FilterConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds a complete {@link DejaCache} (database, embedder, matcher) from string settings: filter
 * init-params in {@code web.xml}, or the standalone server's flags.
 */
public final class FilterSettings {

  private final Map<String, String> settings;

  private FilterSettings(Map<String, String> settings) {
    this.settings = Map.copyOf(settings);
  }

  public static FilterSettings of(Map<String, String> settings) {
    return new FilterSettings(settings);
  }

  static FilterSettings fromFilterConfig(FilterConfig config) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String name : java.util.Collections.list(config.getInitParameterNames())) {
      settings.put(name, config.getInitParameter(name));
    }
    return new FilterSettings(settings);
  }

  /** Opens the database and the model and assembles the cache. */
  public DejaCache open() {
    throw new UnsupportedOperationException("wired once db and embedding land: " + settings);
  }
}
