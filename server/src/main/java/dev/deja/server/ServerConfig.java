package dev.deja.server;

import dev.deja.db.DatabaseConfig;
import dev.deja.filter.DejaConfig;
import dev.deja.filter.FilterSettings;
import dev.deja.filter.settings.InvalidSettingException;
import dev.deja.filter.settings.KeyStyle;
import dev.deja.filter.settings.Range;
import dev.deja.filter.settings.SettingTypes;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The standalone server's resolved configuration. Built once at startup from flags, environment
 * variables and an optional properties file (in that order of precedence, over the defaults below),
 * and validated with messages that name the setting, the value and the rule.
 *
 * <p>Every server setting is declared once, in {@link Setting}; values are read with the filter's
 * {@link SettingTypes}, so a duration or a size is written the same way in a flag and in a
 * {@code --set} filter setting.
 */
public record ServerConfig(
    String host,
    int port,
    URI origin,
    boolean demoOrigin,
    long demoDelayMillis,
    Duration originTimeout,
    Duration connectTimeout,
    Duration idleTimeout,
    int maxConnections,
    String adminToken,
    String adminPrefix,
    boolean publicExplain,
    boolean passThroughOtherPaths,
    Duration evictionInterval,
    Long maxCacheBytes,
    Duration shutdownTimeout,
    Map<String, String> filterSettings) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_ORIGIN = "https://image.pollinations.ai";
  public static final String DEFAULT_DB_URL = "jdbc:postgresql://localhost:5432/deja";
  public static final String DEFAULT_DB_USER = "postgres";
  public static final String DEFAULT_DB_SCHEMA = DatabaseConfig.DEFAULT_SCHEMA;
  public static final long DEFAULT_DEMO_DELAY_MS = 1500;
  public static final String DEFAULT_ORIGIN_TIMEOUT = "120s";
  public static final String DEFAULT_CONNECT_TIMEOUT = "10s";
  public static final String DEFAULT_IDLE_TIMEOUT = "60s";
  public static final int DEFAULT_MAX_CONNECTIONS = 64;
  public static final String DEFAULT_ADMIN_PREFIX = "/_deja";
  public static final String DEFAULT_EVICTION_INTERVAL = "60s";
  public static final String DEFAULT_SHUTDOWN_TIMEOUT = "30s";
  public static final String DEFAULT_PRESET = DejaConfig.DEFAULT_PRESET;
  /** Server durations are timeouts and intervals: zero would mean "never wait" or "spin". */
  private static final Range<Duration> POSITIVE = Range.above(Duration.ZERO);

  /**
   * The server's own settings, each declared once: its key (the flag without dashes and the
   * properties-file key), the flag's parameter label, its default ({@code null}: unset) and its
   * doc line. The flags ({@link Main}), the environment variable names, the {@code --help} text
   * and the file keys are all derived from these constants.
   */
  enum Setting {
    PORT("port", "PORT", Integer.toString(DEFAULT_PORT), "HTTP port; 0 picks a free one",
        Range.between(0, 65535)),
    HOST("host", "ADDR", DEFAULT_HOST, "Address to listen on"),
    ORIGIN("origin", "URL", DEFAULT_ORIGIN, "Image API to forward misses to"),
    DEMO_ORIGIN("demo-origin", "BOOL", "false",
        "Serve misses from the built-in offline origin instead of --origin"),
    DEMO_DELAY_MS("demo-delay-ms", "MS", Long.toString(DEFAULT_DEMO_DELAY_MS),
        "Generation delay of the demo origin, in milliseconds", Range.between(0, 600_000)),
    ORIGIN_TIMEOUT("origin-timeout", "DURATION", DEFAULT_ORIGIN_TIMEOUT,
        "Total time an origin request may take", POSITIVE),
    CONNECT_TIMEOUT("connect-timeout", "DURATION", DEFAULT_CONNECT_TIMEOUT,
        "Origin connect timeout", POSITIVE),
    IDLE_TIMEOUT("idle-timeout", "DURATION", DEFAULT_IDLE_TIMEOUT,
        "Origin connection idle timeout", POSITIVE),
    MAX_CONNECTIONS("max-connections", "N", Integer.toString(DEFAULT_MAX_CONNECTIONS),
        "Pooled connections to the origin", Range.between(1, 10_000)),
    DB_URL("db-url", "JDBC_URL", DEFAULT_DB_URL, "PostgreSQL with pgvector"),
    DB_READ_URL("db-read-url", "JDBC_URL", null,
        "Read replica for lookups (or pgjdbc multi-host, targetServerType=preferSecondary)",
        "lookups read --db-url"),
    DB_USER("db-user", "USER", DEFAULT_DB_USER, "Database user"),
    DB_PASSWORD("db-password", "PASSWORD", "", "Database password"),
    DB_SCHEMA("db-schema", "SCHEMA", DEFAULT_DB_SCHEMA,
        "Database schema, created and migrated at startup"),
    IMAGE_STORE("image-store", "LOCATION", "postgres",
        "Where new images go: postgres, or s3://BUCKET/PREFIX (credentials from the AWS chain)"),
    S3_ENDPOINT("s3-endpoint", "URL", null,
        "S3 API URL for MinIO, R2, Ceph, GCS... (path-style)", "AWS"),
    S3_REGION("s3-region", "REGION", null, "S3 signing region", "us-east-1"),
    PRESET("preset", "NAME", DEFAULT_PRESET,
        "Semantic match preset: strict, balanced, aggressive"),
    THRESHOLD("threshold", "SIMILARITY", null,
        "Override the preset's similarity threshold, in (0, 1]", "the preset's"),
    ADMIN_TOKEN("admin-token", "TOKEN", null,
        "Bearer token for the admin API's mutating endpoints, >= 16 chars", "none, which turns"
            + " them off"),
    ADMIN_PREFIX("admin-prefix", "PATH", DEFAULT_ADMIN_PREFIX, "Path of the admin API"),
    PUBLIC_EXPLAIN("public-explain", "BOOL", "false",
        "Serve explain and stats without the token"),
    PASS_THROUGH_OTHER_PATHS("pass-through-other-paths", "BOOL", "true",
        "Proxy paths outside the cached routes to the origin uncached; false answers them 404"),
    EVICTION_INTERVAL("eviction-interval", "DURATION", DEFAULT_EVICTION_INTERVAL,
        "How often expired and over-budget entries are deleted", POSITIVE),
    MAX_CACHE_BYTES("max-cache-bytes", "SIZE", null,
        "Byte budget of stored images, e.g. 10GB; least recently hit entries go first",
        "unbounded", Range.above(0L)),
    SHUTDOWN_TIMEOUT("shutdown-timeout", "DURATION", DEFAULT_SHUTDOWN_TIMEOUT,
        "Time to drain in-flight requests and queued stores on stop", POSITIVE);

    final String key;
    final String env;
    final String paramLabel;
    final String defaultValue;
    final String doc;
    /** What an unset value means, for the help text. */
    private final String unset;
    /** The bounds of the parsed value, or null. */
    final Range<?> range;

    Setting(String key, String paramLabel, String defaultValue, String doc) {
      this(key, paramLabel, defaultValue, doc, null, null);
    }

    Setting(String key, String paramLabel, String defaultValue, String doc, Range<?> range) {
      this(key, paramLabel, defaultValue, doc, null, range);
    }

    Setting(String key, String paramLabel, String defaultValue, String doc, String unset) {
      this(key, paramLabel, defaultValue, doc, unset, null);
    }

    Setting(String key, String paramLabel, String defaultValue, String doc, String unset,
        Range<?> range) {
      this.key = key;
      // Derived, not declared: DEJA_ and the key in upper snake case, for every setting alike.
      this.env = "DEJA_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
      this.paramLabel = paramLabel;
      this.defaultValue = defaultValue;
      this.doc = doc;
      this.unset = unset;
      this.range = range;
    }

    /**
     * Returns {@code value} (parsed from {@code text}) when within {@link #range}.
     *
     * @throws InvalidSettingException naming the key, the text and the range otherwise
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    <T> T check(T value, String text) {
      if (range != null && !((Range) range).contains((Comparable) value)) {
        throw new InvalidSettingException(key, text, range.rule());
      }
      return value;
    }

    /** The command-line flag. */
    String flag() {
      return "--" + key;
    }

    /** A boolean flag may be given bare: {@code --demo-origin} means {@code true}. */
    boolean isSwitch() {
      return paramLabel.equals("BOOL");
    }

    /** The {@code --help} line: the doc, the environment variable and the default. */
    String help() {
      String shown =
          defaultValue == null ? unset : defaultValue.isEmpty() ? "empty" : defaultValue;
      return doc + " (env " + env + ", default " + shown + ")";
    }

    /** The setting of {@code key}, in its kebab-case or camelCase spelling, or null. */
    static Setting byKey(String key) {
      for (Setting s : values()) {
        if (s.key.equals(key) || KeyStyle.otherSpelling(s.key).equals(key)) {
          return s;
        }
      }
      return null;
    }
  }

  /** A configuration problem, reported as one line: {@code deja: error: <message>}. */
  public static final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }

  /**
   * Resolves the configuration: flags over environment over file over defaults.
   *
   * @param flags server settings given on the command line, by {@link Setting} key
   * @param sets {@code --set key=value} pairs (FilterSettings keys), highest precedence
   * @param env the process environment
   * @param file the {@code --config} properties file, or empty; its keys are server settings or
   *     FilterSettings keys
   */
  public static ServerConfig resolve(
      Map<String, String> flags, Map<String, String> sets, Map<String, String> env, Properties file) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> filter = new LinkedHashMap<>();
    for (Setting s : Setting.values()) {
      if (s.defaultValue != null) {
        values.put(s.key, s.defaultValue);
      }
    }
    for (String name : file.stringPropertyNames()) {
      Setting s = Setting.byKey(name);
      if (s != null) {
        values.put(s.key, file.getProperty(name).strip());
      } else {
        filter.put(FilterSettings.canonicalKey(name), file.getProperty(name).strip());
      }
    }
    for (Setting s : Setting.values()) {
      String v = env.get(s.env);
      if (v != null && !v.isEmpty()) {
        values.put(s.key, v.strip());
      }
    }
    for (Map.Entry<String, String> f : flags.entrySet()) {
      if (Setting.byKey(f.getKey()) == null) {
        throw new ConfigException("unknown server setting '" + f.getKey() + "'");
      }
      if (f.getValue() != null) {
        values.put(f.getKey(), f.getValue());
      }
    }
    // One spelling per key, so a --set overrides the file whichever style each uses.
    sets.forEach((key, value) -> filter.put(FilterSettings.canonicalKey(key), value));
    try {
      return build(values, filter);
    } catch (InvalidSettingException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static ServerConfig build(Map<String, String> v, Map<String, String> extra) {
    boolean demo = bool(v, Setting.DEMO_ORIGIN);
    URI origin = demo ? null : origin(v.get(Setting.ORIGIN.key));
    String prefix = v.get(Setting.ADMIN_PREFIX.key);
    if (!prefix.matches("/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")) {
      throw new InvalidSettingException(
          Setting.ADMIN_PREFIX.key, prefix, "must look like /_deja (no trailing slash)");
    }
    for (String route : DejaConfig.routes(extra)) {
      if ((prefix + "/").startsWith(route) || route.startsWith(prefix + "/")) {
        throw new InvalidSettingException(
            Setting.ADMIN_PREFIX.key, prefix, "overlaps the cached path " + route + "*");
      }
    }
    String token = v.get(Setting.ADMIN_TOKEN.key);
    if (token != null && token.isBlank()) {
      token = null;
    }
    if (token != null && token.length() < 16) {
      throw InvalidSettingException.secret(
          Setting.ADMIN_TOKEN.key, "must be at least 16 characters");
    }
    String maxBytes = v.get(Setting.MAX_CACHE_BYTES.key);

    Map<String, String> filter = new LinkedHashMap<>();
    filter.put("db.url", v.get(Setting.DB_URL.key));
    filter.put("db.user", v.get(Setting.DB_USER.key));
    filter.put("db.password", v.get(Setting.DB_PASSWORD.key));
    filter.put("db.schema", v.get(Setting.DB_SCHEMA.key));
    filter.put("db.image-store", v.get(Setting.IMAGE_STORE.key));
    if (v.get(Setting.DB_READ_URL.key) != null) {
      filter.put("db.read-url", v.get(Setting.DB_READ_URL.key));
    }
    for (Setting s3 : List.of(Setting.S3_ENDPOINT, Setting.S3_REGION)) {
      if (v.get(s3.key) != null) {
        filter.put("db." + s3.key, v.get(s3.key));
      }
    }
    // The cache runs the maintenance; these two flags are its settings under the server's names.
    filter.put("maintenanceInterval", v.get(Setting.EVICTION_INTERVAL.key));
    if (maxBytes != null && !maxBytes.isBlank()) {
      filter.put("maxCacheBytes", maxBytes);
    }
    filter.put("preset", v.get(Setting.PRESET.key));
    if (v.get(Setting.THRESHOLD.key) != null) {
      filter.put("threshold", v.get(Setting.THRESHOLD.key));
    }
    filter.putAll(extra);
    if (!filter.get("db.url").startsWith("jdbc:postgresql:")) {
      throw new InvalidSettingException(
          Setting.DB_URL.key, DejaServer.maskUrl(filter.get("db.url")),
          "must start with jdbc:postgresql:");
    }
    return new ServerConfig(
        v.get(Setting.HOST.key),
        integer(v, Setting.PORT),
        origin,
        demo,
        integer(v, Setting.DEMO_DELAY_MS),
        duration(v, Setting.ORIGIN_TIMEOUT),
        duration(v, Setting.CONNECT_TIMEOUT),
        duration(v, Setting.IDLE_TIMEOUT),
        integer(v, Setting.MAX_CONNECTIONS),
        token,
        prefix,
        bool(v, Setting.PUBLIC_EXPLAIN),
        bool(v, Setting.PASS_THROUGH_OTHER_PATHS),
        duration(v, Setting.EVICTION_INTERVAL),
        maxBytes == null || maxBytes.isBlank() ? null : cacheBytes(maxBytes),
        duration(v, Setting.SHUTDOWN_TIMEOUT),
        Map.copyOf(filter));
  }

  /** The origin URL, checked: absolute http(s), a host, no query. */
  static URI origin(String value) {
    String key = Setting.ORIGIN.key;
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new InvalidSettingException(key, value, e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!List.of("http", "https").contains(scheme) || uri.getHost() == null) {
      throw new InvalidSettingException(
          key, value, "must be an absolute http:// or https:// URL with a host");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new InvalidSettingException(key, value, "must not have a query or fragment");
    }
    String s = uri.toString();
    return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
  }

  private static boolean bool(Map<String, String> v, Setting s) {
    return SettingTypes.bool(s.key, v.get(s.key).strip());
  }

  private static int integer(Map<String, String> v, Setting s) {
    return s.check(SettingTypes.integer(s.key, v.get(s.key)), v.get(s.key));
  }

  private static Duration duration(Map<String, String> v, Setting s) {
    return s.check(SettingTypes.duration(s.key, v.get(s.key)), v.get(s.key));
  }

  private static long cacheBytes(String value) {
    Setting s = Setting.MAX_CACHE_BYTES;
    return s.check(SettingTypes.size(s.key, value), value);
  }

  /** The database URL for logs (no credentials: user and password are separate settings). */
  public String dbUrl() {
    return filterSettings.get("db.url");
  }

  /** The filter settings with the password masked, for the startup summary. */
  public Map<String, String> maskedFilterSettings() {
    Map<String, String> masked = new LinkedHashMap<>(filterSettings);
    masked.computeIfPresent("db.password", (k, p) -> p.isEmpty() ? "" : "****");
    masked.computeIfPresent("db.read-url", (k, u) -> DejaServer.maskUrl(u));
    return masked;
  }

  @Override
  public String toString() {
    return "ServerConfig{host=" + host + ", port=" + port + ", origin="
        + (demoOrigin ? "demo" : origin) + ", adminPrefix=" + adminPrefix + ", adminToken="
        + (adminToken == null ? "none" : "****") + ", filter=" + maskedFilterSettings() + "}";
  }
}
