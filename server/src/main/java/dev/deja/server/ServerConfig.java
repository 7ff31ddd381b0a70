package dev.deja.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone server's resolved configuration. Built once at startup from flags, environment
 * variables and an optional properties file (in that order of precedence, over the defaults below),
 * and validated with messages that name the setting, the value and the rule.
 *
 * <p>Every default lives in one constant here; the {@code --help} text and docs/SERVER.md use them.
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
  public static final String DEFAULT_DB_SCHEMA = "deja";
  public static final long DEFAULT_DEMO_DELAY_MS = 1500;
  public static final String DEFAULT_ORIGIN_TIMEOUT = "120s";
  public static final String DEFAULT_CONNECT_TIMEOUT = "10s";
  public static final String DEFAULT_IDLE_TIMEOUT = "60s";
  public static final int DEFAULT_MAX_CONNECTIONS = 64;
  public static final String DEFAULT_ADMIN_PREFIX = "/_deja";
  public static final String DEFAULT_EVICTION_INTERVAL = "60s";
  public static final String DEFAULT_SHUTDOWN_TIMEOUT = "30s";
  public static final String DEFAULT_PRESET = "balanced";

  /**
   * The server's own settings: key (flag name without dashes, and properties-file key), the
   * environment variable, and the default ({@code null}: unset).
   */
  enum Setting {
    HOST("host", "DEJA_HOST", DEFAULT_HOST),
    PORT("port", "DEJA_PORT", Integer.toString(DEFAULT_PORT)),
    ORIGIN("origin", "DEJA_ORIGIN", DEFAULT_ORIGIN),
    DB_URL("db-url", "DEJA_DB_URL", DEFAULT_DB_URL),
    DB_USER("db-user", "DEJA_DB_USER", DEFAULT_DB_USER),
    DB_PASSWORD("db-password", "DEJA_DB_PASSWORD", ""),
    DB_SCHEMA("db-schema", "DEJA_DB_SCHEMA", DEFAULT_DB_SCHEMA),
    DEMO_ORIGIN("demo-origin", "DEJA_DEMO_ORIGIN", "false"),
    DEMO_DELAY_MS("demo-delay-ms", "DEJA_DEMO_DELAY_MS", Long.toString(DEFAULT_DEMO_DELAY_MS)),
    ORIGIN_TIMEOUT("origin-timeout", "DEJA_ORIGIN_TIMEOUT", DEFAULT_ORIGIN_TIMEOUT),
    CONNECT_TIMEOUT("connect-timeout", "DEJA_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT),
    IDLE_TIMEOUT("idle-timeout", "DEJA_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT),
    MAX_CONNECTIONS(
        "max-connections", "DEJA_MAX_CONNECTIONS", Integer.toString(DEFAULT_MAX_CONNECTIONS)),
    ADMIN_TOKEN("admin-token", "DEJA_ADMIN_TOKEN", null),
    ADMIN_PREFIX("admin-prefix", "DEJA_ADMIN_PREFIX", DEFAULT_ADMIN_PREFIX),
    PUBLIC_EXPLAIN("public-explain", "DEJA_PUBLIC_EXPLAIN", "false"),
    PASS_THROUGH_OTHER_PATHS(
        "pass-through-other-paths", "DEJA_PASS_THROUGH_OTHER_PATHS", "true"),
    EVICTION_INTERVAL("eviction-interval", "DEJA_EVICTION_INTERVAL", DEFAULT_EVICTION_INTERVAL),
    MAX_CACHE_BYTES("max-cache-bytes", "DEJA_MAX_CACHE_BYTES", null),
    SHUTDOWN_TIMEOUT("shutdown-timeout", "DEJA_SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT),
    PRESET("preset", "DEJA_PRESET", DEFAULT_PRESET),
    THRESHOLD("threshold", "DEJA_THRESHOLD", null);

    final String key;
    final String env;
    final String defaultValue;

    Setting(String key, String env, String defaultValue) {
      this.key = key;
      this.env = env;
      this.defaultValue = defaultValue;
    }

    static Setting byKey(String key) {
      for (Setting s : values()) {
        if (s.key.equals(key)) {
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
      if (Setting.byKey(name) != null) {
        values.put(name, file.getProperty(name).strip());
      } else {
        filter.put(name, file.getProperty(name).strip());
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
    filter.putAll(sets);
    return build(values, filter);
  }

  private static ServerConfig build(Map<String, String> v, Map<String, String> extra) {
    boolean demo = bool(v, Setting.DEMO_ORIGIN);
    URI origin = demo ? null : origin(v.get(Setting.ORIGIN.key));
    String prefix = v.get(Setting.ADMIN_PREFIX.key);
    if (!prefix.matches("/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")) {
      throw new ConfigException(
          "invalid admin-prefix '" + prefix + "': must look like /_deja (no trailing slash)");
    }
    if (prefix.equals("/prompt") || prefix.startsWith("/prompt/")) {
      throw new ConfigException("invalid admin-prefix '" + prefix + "': overlaps the cached path");
    }
    String token = v.get(Setting.ADMIN_TOKEN.key);
    if (token != null && token.isBlank()) {
      token = null;
    }
    if (token != null && token.length() < 16) {
      throw new ConfigException("invalid admin-token: must be at least 16 characters");
    }
    String maxBytes = v.get(Setting.MAX_CACHE_BYTES.key);

    Map<String, String> filter = new LinkedHashMap<>();
    filter.put("db.url", v.get(Setting.DB_URL.key));
    filter.put("db.user", v.get(Setting.DB_USER.key));
    filter.put("db.password", v.get(Setting.DB_PASSWORD.key));
    filter.put("db.schema", v.get(Setting.DB_SCHEMA.key));
    filter.put("preset", v.get(Setting.PRESET.key));
    if (v.get(Setting.THRESHOLD.key) != null) {
      filter.put("threshold", v.get(Setting.THRESHOLD.key));
    }
    filter.putAll(extra);
    if (!filter.get("db.url").startsWith("jdbc:postgresql:")) {
      throw new ConfigException(
          "invalid db-url '" + filter.get("db.url") + "': must start with jdbc:postgresql:");
    }
    return new ServerConfig(
        v.get(Setting.HOST.key),
        port(v.get(Setting.PORT.key)),
        origin,
        demo,
        longValue(v, Setting.DEMO_DELAY_MS, 0, 600_000),
        duration(v, Setting.ORIGIN_TIMEOUT),
        duration(v, Setting.CONNECT_TIMEOUT),
        duration(v, Setting.IDLE_TIMEOUT),
        (int) longValue(v, Setting.MAX_CONNECTIONS, 1, 10_000),
        token,
        prefix,
        bool(v, Setting.PUBLIC_EXPLAIN),
        bool(v, Setting.PASS_THROUGH_OTHER_PATHS),
        duration(v, Setting.EVICTION_INTERVAL),
        maxBytes == null || maxBytes.isBlank() ? null : bytes(maxBytes),
        duration(v, Setting.SHUTDOWN_TIMEOUT),
        Map.copyOf(filter));
  }

  /** The origin URL, checked: absolute http(s), a host, no query. */
  static URI origin(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new ConfigException("invalid origin '" + value + "': " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!List.of("http", "https").contains(scheme) || uri.getHost() == null) {
      throw new ConfigException(
          "invalid origin '" + value + "': must be an absolute http:// or https:// URL with a host");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ConfigException("invalid origin '" + value + "': must not have a query or fragment");
    }
    String s = uri.toString();
    return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
  }

  private static int port(String value) {
    try {
      int port = Integer.parseInt(value.strip());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException("invalid port '" + value + "': must be an integer in [0, 65535]");
  }

  private static boolean bool(Map<String, String> v, Setting s) {
    String value = v.get(s.key).strip().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off", "" -> false;
      default -> throw new ConfigException("invalid " + s.key + " '" + value + "': must be true or false");
    };
  }

  private static long longValue(Map<String, String> v, Setting s, long min, long max) {
    String value = v.get(s.key);
    try {
      long n = Long.parseLong(value.strip());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(
        "invalid " + s.key + " '" + value + "': must be an integer in [" + min + ", " + max + "]");
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
  private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*([kmgt]i?b?|b)?");

  /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, a bare number of seconds, or ISO-8601. */
  static Duration parseDuration(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
    }
    try {
      return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Duration duration(Map<String, String> v, Setting s) {
    String value = v.get(s.key);
    Duration d = parseDuration(value);
    if (d == null || d.isNegative() || d.isZero()) {
      throw new ConfigException(
          "invalid " + s.key + " '" + value + "': must be a positive duration like 500ms, 30s, 2m");
    }
    return d;
  }

  /** {@code 1048576}, {@code 512MB}, {@code 2GiB}, {@code 100k}. */
  static long bytes(String value) {
    Matcher m = BYTES.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new ConfigException(
          "invalid max-cache-bytes '" + value + "': must be a size like 1073741824, 512MB, 2GB");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    long factor =
        switch (unit.charAt(0)) {
          case 'k' -> 1L << 10;
          case 'm' -> 1L << 20;
          case 'g' -> 1L << 30;
          case 't' -> 1L << 40;
          default -> 1L;
        };
    if (n <= 0) {
      throw new ConfigException("invalid max-cache-bytes '" + value + "': must be > 0");
    }
    return n * factor;
  }

  /** The database URL for logs (no credentials: user and password are separate settings). */
  public String dbUrl() {
    return filterSettings.get("db.url");
  }

  /** The filter settings with the password masked, for the startup summary. */
  public Map<String, String> maskedFilterSettings() {
    Map<String, String> masked = new LinkedHashMap<>(filterSettings);
    masked.computeIfPresent("db.password", (k, p) -> p.isEmpty() ? "" : "****");
    return masked;
  }

  @Override
  public String toString() {
    return "ServerConfig{host=" + host + ", port=" + port + ", origin="
        + (demoOrigin ? "demo" : origin) + ", adminPrefix=" + adminPrefix + ", adminToken="
        + (adminToken == null ? "none" : "****") + ", filter=" + maskedFilterSettings() + "}";
  }
}
