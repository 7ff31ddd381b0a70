package dev.deja.filter;

import dev.deja.db.Coordination;
import dev.deja.db.DatabaseConfig;
import dev.deja.db.ReconnectingDatabase;
import dev.deja.filter.store.ReplicaGauges;
import java.time.Duration;
import dev.deja.filter.embed.Embedder;
import dev.deja.filter.embed.EmbedderSettings;
import dev.deja.filter.embed.Embedders;
import dev.deja.filter.match.GuardedMatcher;
import dev.deja.filter.match.MatchPreset;
import dev.deja.filter.match.SemanticMatcher;
import dev.deja.filter.settings.Setting;
import dev.deja.filter.settings.SettingTable;
import dev.deja.filter.settings.SettingTypes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.FilterConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds a complete {@link DejaCache} (database, embedding model, matcher, cache behaviour) from
 * string settings: filter init-params in {@code web.xml}, or the standalone server's flags.
 *
 * <p>Keys: {@link #DATABASE db.*}, {@link EmbedderSettings#SETTINGS embedding.*}, and every
 * other key a {@link DejaConfig#SETTINGS cache setting}; {@link #SETTINGS} lists them all. Each
 * key is accepted in its documented spelling and the other style ({@code db.poolSize}, {@code
 * hot-cache-bytes}). An unknown key or a bad value is an error that names the key.
 */
public final class FilterSettings {

  private static final String DB_PREFIX = "db.";
  private static final String EMBEDDING_PREFIX = "embedding.";
  /** Column size when semantic lookup is off: the bundled model's, so it can be turned on later. */
  private static final int EXACT_ONLY_DIMENSION = 384;
  /** Pause between attempts to reach a database that was down when the cache opened. */
  public static final Duration RECONNECT_INTERVAL = Duration.ofSeconds(2);

  /** The database settings, declared once over {@link DatabaseConfig.Builder}. */
  public static final SettingTable<DatabaseConfig.Builder> DATABASE =
      new SettingTable<>(
          "database setting",
          Setting.of("db.url", SettingTypes.STRING, null,
              "PostgreSQL with pgvector (JDBC URL, jdbc:postgresql://...)",
              DatabaseConfig.Builder::url),
          Setting.of("db.read-url", SettingTypes.STRING, null,
              "read replica lookups read while it is fresh (JDBC URL; pgjdbc multi-host with"
                  + " targetServerType=preferSecondary works); unset: lookups read db.url",
              DatabaseConfig.Builder::readUrl),
          Setting.of("db.read-max-lag", SettingTypes.DURATION,
              DatabaseConfig.DEFAULT_READ_MAX_LAG,
              "replica lag beyond which lookups read the primary: bounds how late a delete is"
                  + " seen",
              DatabaseConfig.Builder::readMaxLag),
          Setting.of("db.user", SettingTypes.STRING, null, "database user",
              DatabaseConfig.Builder::user),
          Setting.of("db.password", SettingTypes.STRING, null, "database password",
              DatabaseConfig.Builder::password),
          Setting.of("db.schema", SettingTypes.STRING, DatabaseConfig.DEFAULT_SCHEMA,
              "schema holding tables and views (Flyway migrates it at startup)",
              DatabaseConfig.Builder::schema),
          Setting.of("db.pool-size", SettingTypes.INTEGER, DatabaseConfig.DEFAULT_MAX_POOL_SIZE,
              "connections in total: lookup pool plus store pool (a third, at least 2)", DatabaseConfig.Builder::maxPoolSize),
          Setting.of("db.lookup-timeout", SettingTypes.DURATION,
              DatabaseConfig.DEFAULT_LOOKUP_TIMEOUT,
              "statement timeout of lookups: a slow database cannot hold a request",
              DatabaseConfig.Builder::lookupTimeout),
          Setting.of("db.hnsw-ef-search", SettingTypes.INTEGER,
              DatabaseConfig.DEFAULT_HNSW_EF_SEARCH,
              "HNSW candidate list of large-partition lookups (1..1000): recall against latency",
              DatabaseConfig.Builder::hnswEfSearch),
          Setting.of("db.connection-timeout", SettingTypes.DURATION,
              DatabaseConfig.DEFAULT_CONNECTION_TIMEOUT,
              "longest wait for a pooled connection (at least 250ms)",
              DatabaseConfig.Builder::connectionTimeout),
          Setting.of("db.store-timeout", SettingTypes.DURATION,
              DatabaseConfig.DEFAULT_STORE_TIMEOUT,
              "statement timeout of stores and maintenance statements",
              DatabaseConfig.Builder::storeTimeout),
          Setting.of("db.image-store", SettingTypes.STRING, "postgres",
              "where new images go: postgres (image_blob.bytes) or s3://BUCKET/PREFIX",
              DatabaseConfig.Builder::imageStore),
          Setting.of("db.s3-endpoint", SettingTypes.STRING, null,
              "S3 API URL for MinIO, R2, Ceph, GCS...; unset means AWS (credentials: the AWS"
                  + " chain, e.g. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)",
              DatabaseConfig.Builder::s3Endpoint),
          Setting.of("db.s3-region", SettingTypes.STRING, null,
              "S3 signing region (unset: us-east-1; R2 wants auto)",
              DatabaseConfig.Builder::s3Region),
          Setting.of("db.object-sweep-grace", SettingTypes.DURATION,
              DatabaseConfig.DEFAULT_OBJECT_SWEEP_GRACE,
              "age before an unreferenced object may be swept (more than twice the store timeout)",
              DatabaseConfig.Builder::objectSweepGrace));

  /** The embedder's settings under {@code embedding.}. */
  public static final SettingTable<EmbedderSettings.Builder> EMBEDDING =
      EmbedderSettings.SETTINGS.prefixed(EMBEDDING_PREFIX);

  /** Every setting this class accepts, in the order the README documents them. */
  public static final List<Setting<?, ?>> SETTINGS =
      Stream.of(DejaConfig.SETTINGS.settings(), DATABASE.settings(), EMBEDDING.settings())
          .flatMap(List::stream)
          .<Setting<?, ?>>map(s -> s)
          .toList();

  /**
   * {@code key} in its documented spelling when it names a setting in either style, else as given
   * (so that it is still rejected by name). Lets callers that merge several sources (a file, then
   * {@code --set}) override one setting whichever style each source used.
   */
  public static String canonicalKey(String key) {
    return DejaConfig.SETTINGS.find(key).<Setting<?, ?>>map(s -> s)
        .or(() -> DATABASE.find(key))
        .or(() -> EMBEDDING.find(key))
        .map(Setting::key)
        .orElse(key);
  }

  private final DejaConfig config;
  private final DatabaseConfig.Builder database;
  private final EmbedderSettings embedding;

  private FilterSettings(Map<String, String> settings) {
    Map<String, String> cacheSettings = new LinkedHashMap<>();
    Map<String, String> databaseSettings = new LinkedHashMap<>();
    Map<String, String> embeddingSettings = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String key = e.getKey();
      Map<String, String> family =
          key.startsWith(DB_PREFIX) ? databaseSettings
              : key.startsWith(EMBEDDING_PREFIX) ? embeddingSettings
              : cacheSettings;
      family.put(key, e.getValue());
    }
    this.config = DejaConfig.fromSettings(cacheSettings);
    this.database = DatabaseConfig.builder();
    DATABASE.applyAll(database, databaseSettings);
    EmbedderSettings.Builder embedder = EmbedderSettings.builder();
    EMBEDDING.applyAll(embedder, embeddingSettings);
    this.embedding = embedder.build();
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
    return open(registry, java.util.function.UnaryOperator.identity());
  }

  /**
   * As {@link #open(MeterRegistry)}, with the configured matcher wrapped by {@code matchers}: a
   * host adds a rule of its own (the gateway refuses the pairs operators marked wrong) while the
   * threshold and the guard stay this configuration's.
   */
  public DejaCache open(MeterRegistry registry,
      java.util.function.UnaryOperator<SemanticMatcher> matchers) {
    Embedder embedder = config.semantic() ? Embedders.create(embedding) : null;
    ReconnectingDatabase db;
    DatabaseConfig databaseConfig;
    try {
      int dimension = embedder == null ? EXACT_ONLY_DIMENSION : embedder.dimension();
      databaseConfig = database.embeddingDimension(dimension).build();
      db = ReconnectingDatabase.open(databaseConfig, RECONNECT_INTERVAL);
    } catch (RuntimeException e) {
      if (embedder != null) {
        embedder.close();
      }
      throw e;
    }
    ReplicaGauges.register(registry, db);
    // Its own connections, not the pools': it listens and leads even while the pools reconnect.
    Coordination coordination = Coordination.postgres(databaseConfig);
    DejaCache.Builder cache =
        DejaCache.builder()
            .config(config)
            .store(db.repository())
            .flightClaims(db.flightClaims())
            .matcher(matchers.apply(matcher(config)))
            .meterRegistry(registry)
            .coordination(coordination)
            .startupState(db::notReady)
            .closing(coordination)
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
}
