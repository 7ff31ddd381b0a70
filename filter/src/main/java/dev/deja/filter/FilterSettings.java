package dev.deja.filter;

import dev.deja.db.DatabaseConfig;
import dev.deja.db.ReconnectingDatabase;
import java.time.Duration;
import dev.deja.filter.embed.Embedder;
import dev.deja.filter.embed.EmbedderSettings;
import dev.deja.filter.embed.Embedders;
import dev.deja.filter.match.GuardedMatcher;
import dev.deja.filter.match.MatchPreset;
import dev.deja.filter.match.SemanticMatcher;
import dev.deja.filter.store.PostgresCacheStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.FilterConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a complete {@link DejaCache} (database, embedding model, matcher, cache behaviour) from
 * string settings: filter init-params in {@code web.xml}, or the standalone server's flags.
 *
 * <p>Keys: {@code db.url}, {@code db.user}, {@code db.password}, {@code db.schema}, {@code
 * db.pool-size}, {@code db.lookup-timeout}; {@code embedding.<key>} for {@link
 * EmbedderSettings#fromMap}; every other key is a {@link DejaConfig#KEYS cache setting}. An
 * unknown key is an error that names it.
 */
public final class FilterSettings {

  private static final String DB = "db.";
  private static final String EMBEDDING = "embedding.";
  /** Column size when semantic lookup is off: the bundled model's, so it can be turned on later. */
  private static final int EXACT_ONLY_DIMENSION = 384;
  /** Pause between attempts to reach a database that was down when the cache opened. */
  public static final Duration RECONNECT_INTERVAL = Duration.ofSeconds(2);

  private final DejaConfig config;
  private final DatabaseConfig.Builder database;
  private final EmbedderSettings embedding;

  private FilterSettings(Map<String, String> settings) {
    Map<String, String> cacheSettings = new LinkedHashMap<>();
    Map<String, String> embeddingSettings = new LinkedHashMap<>();
    DatabaseConfig.Builder db = DatabaseConfig.builder();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String key = e.getKey();
      String value = e.getValue() == null ? "" : e.getValue().strip();
      if (key.startsWith(DB)) {
        database(db, key.substring(DB.length()), value);
      } else if (key.startsWith(EMBEDDING)) {
        embeddingSettings.put(key.substring(EMBEDDING.length()), value);
      } else {
        cacheSettings.put(key, value);
      }
    }
    this.config = DejaConfig.fromSettings(cacheSettings);
    this.database = db;
    this.embedding = EmbedderSettings.fromMap(embeddingSettings);
  }

  public static FilterSettings of(Map<String, String> settings) {
    return new FilterSettings(settings);
  }

  static FilterSettings fromFilterConfig(FilterConfig filterConfig) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String name : Collections.list(filterConfig.getInitParameterNames())) {
      settings.put(name, filterConfig.getInitParameter(name));
    }
    return new FilterSettings(settings);
  }

  public DejaConfig config() {
    return config;
  }

  /** Opens the model and the database (migrating it) and assembles the cache. */
  public DejaCache open() {
    return open(new SimpleMeterRegistry());
  }

  /**
   * As {@link #open()}, with the application's meter registry. A database that cannot be reached
   * does not fail the start: the cache serves from the origin (every lookup reports {@code
   * cache-unavailable}) and connects in the background every {@link #RECONNECT_INTERVAL}.
   *
   * @throws dev.deja.db.SchemaMismatchException when the schema was made for another model
   */
  public DejaCache open(MeterRegistry registry) {
    Embedder embedder = config.semantic() ? Embedders.create(embedding) : null;
    ReconnectingDatabase db;
    try {
      int dimension = embedder == null ? EXACT_ONLY_DIMENSION : embedder.dimension();
      db =
          ReconnectingDatabase.open(
              database.embeddingDimension(dimension).build(), RECONNECT_INTERVAL);
    } catch (RuntimeException e) {
      if (embedder != null) {
        embedder.close();
      }
      throw e;
    }
    DejaCache.Builder cache =
        DejaCache.builder()
            .config(config)
            .store(new PostgresCacheStore(db.repository()))
            .matcher(matcher(config))
            .meterRegistry(registry)
            .closing(db);
    if (embedder != null) {
      cache.embedder(embedder).closing(embedder);
    }
    return cache.build();
  }

  /** The matcher a configuration asks for: its preset, with the threshold overridden if set. */
  public static SemanticMatcher matcher(DejaConfig config) {
    MatchPreset preset;
    try {
      preset = MatchPreset.valueOf(config.preset().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid Deja setting preset='" + config.preset() + "': must be one of strict,"
              + " balanced, aggressive");
    }
    return config.threshold() == null
        ? GuardedMatcher.of(preset)
        : GuardedMatcher.custom(config.threshold(), preset.strictness());
  }

  private static void database(DatabaseConfig.Builder db, String key, String value) {
    switch (key) {
      case "url" -> db.url(value);
      case "user" -> db.user(value);
      case "password" -> db.password(value);
      case "schema" -> db.schema(value);
      case "pool-size" -> db.maxPoolSize(Integer.parseInt(value));
      case "lookup-timeout" -> db.lookupTimeout(DejaConfig.Builder.duration("db." + key, value));
      default ->
          throw new IllegalArgumentException(
              "unknown Deja setting 'db." + key + "'; known: db.url, db.user, db.password,"
                  + " db.schema, db.pool-size, db.lookup-timeout");
    }
  }
}
