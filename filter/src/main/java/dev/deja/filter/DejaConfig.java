package dev.deja.filter;

import dev.deja.filter.http.CacheHeaders;
import dev.deja.filter.http.StoredHeaders;
import dev.deja.filter.lookup.CacheLookup.UnseededPolicy;
import dev.deja.filter.request.RequestRules;
import dev.deja.filter.settings.InvalidSettingException;
import dev.deja.filter.match.GuardedMatcher;
import dev.deja.filter.settings.Range;
import dev.deja.filter.settings.Setting;
import dev.deja.filter.settings.SettingTable;
import dev.deja.filter.settings.SettingType;
import dev.deja.filter.settings.SettingTypes;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * How the cache behaves: which requests it keys and how, semantic matching, storage limits and
 * failure handling. Immutable; built by {@link #builder()} or from string settings with {@link
 * #fromSettings(Map)} (filter init-params, server flags and properties all feed the same builder).
 *
 * <p>Every setting is declared once, in {@link #SETTINGS}: key, type, default constant, doc line
 * and builder method. {@link #KEYS}, {@link Builder#set} and the README's settings table (checked
 * by {@code ReadmeSettingsTest}) derive from it.
 */
public final class DejaConfig {

  public static final List<String> DEFAULT_PATHS = List.of(RequestRules.DEFAULT_ROUTE + "*");
  public static final String DEFAULT_PROMPT_PARAM = "prompt";
  public static final Set<String> DEFAULT_KNOWN_PARAMS =
      Set.of(
          "width", "height", "seed", "model", "nologo", "enhance", "safe", "quality",
          "negative_prompt", "transparent", "image", "private");
  public static final Set<String> DEFAULT_IGNORED_PARAMS =
      Set.of("token", "referrer", "referer", "nofeed", "no-cache");
  public static final Map<String, String> DEFAULT_DEFAULTS =
      Map.of("model", "flux", "width", "1024", "height", "1024");
  public static final int DEFAULT_MAX_PROMPT_CHARS = 8192;
  public static final boolean DEFAULT_SEMANTIC = true;
  public static final UnseededPolicy DEFAULT_UNSEEDED = UnseededPolicy.SEMANTIC;
  public static final String DEFAULT_PRESET = "balanced";
  public static final int DEFAULT_CANDIDATES = 3;
  public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
  public static final int DEFAULT_STORE_THREADS = 2;
  public static final int DEFAULT_STORE_QUEUE = 256;
  public static final long DEFAULT_HOT_CACHE_BYTES = 64L * 1024 * 1024;
  public static final long DEFAULT_MEMORY_BUDGET_BYTES = 256L * 1024 * 1024;
  /**
   * Longest time an image stays in the in-memory tier: the bound on how long a deletion whose
   * notification was lost can still be served by another instance. One database round trip per
   * hot key per minute is the price.
   */
  public static final Duration DEFAULT_HOT_CACHE_LIFETIME = Duration.ofSeconds(60);
  public static final Duration DEFAULT_MAINTENANCE_INTERVAL = Duration.ofSeconds(60);
  public static final Duration DEFAULT_SINGLE_FLIGHT_TIMEOUT = Duration.ofSeconds(120);
  public static final int DEFAULT_SINGLE_FLIGHT_MAX_WAITERS = 64;
  /** See {@link #clusterFlightWait()}. */
  public static final Duration DEFAULT_CLUSTER_FLIGHT_WAIT = Duration.ofSeconds(5);
  public static final int DEFAULT_BREAKER_FAILURES = 5;
  public static final Duration DEFAULT_BREAKER_OPEN = Duration.ofSeconds(5);
  public static final Duration DEFAULT_STALE_IF_ERROR = Duration.ofDays(1);
  public static final int DEFAULT_SEMANTIC_ROLLOUT_PERCENT = 100;
  /**
   * Downstream lifetime of an image drawn for another prompt (semantic and alias hits): short, so
   * a CDN or browser does not keep a substitute for the origin's year.
   */
  public static final String DEFAULT_SEMANTIC_CACHE_CONTROL = "public, max-age=300";
  /** Origin headers stored beyond the built-in allow-list: none. */
  public static final Set<String> DEFAULT_STORED_HEADERS = Set.of();

  /** The three states of the {@code semantic} setting. */
  public enum SemanticMode {
    /** Semantic hits are served. */
    ON,
    /** Exact caching only; prompts are not embedded. */
    OFF,
    /** Semantic decisions are computed and reported, never served. */
    SHADOW
  }

  private static <T> Setting<Builder, T> setting(
      String key, SettingType<T> type, T defaultValue, String doc,
      BiConsumer<Builder, T> setter) {
    return Setting.of(key, type, defaultValue, doc, setter);
  }

  /**
   * Every cache setting, declared once: key, type, default, doc line and builder method. Applied
   * in this order whatever the order of the input, so no map iteration order changes a result.
   */
  public static final SettingTable<Builder> SETTINGS =
      new SettingTable<>(
          "Deja setting",
          setting("paths", SettingTypes.LIST, DEFAULT_PATHS,
              "cached path patterns (comma-separated), relative to the context path",
              Builder::paths),
          setting("promptParam", SettingTypes.STRING, DEFAULT_PROMPT_PARAM,
              "query parameter holding the prompt when it is not in the path",
              Builder::promptParam),
          setting("knownParams", SettingTypes.SET, DEFAULT_KNOWN_PARAMS,
              "output-affecting parameters; any other parameter makes a request uncacheable",
              Builder::knownParams),
          setting("ignoredParams", SettingTypes.SET, DEFAULT_IGNORED_PARAMS,
              "parameters dropped from the key", Builder::ignoredParams),
          setting("defaults", SettingTypes.MAP, DEFAULT_DEFAULTS,
              "values applied before keying", Builder::defaults),
          setting("maxPromptChars", SettingTypes.INTEGER, DEFAULT_MAX_PROMPT_CHARS,
              "longer prompts pass through uncached", Builder::maxPromptChars)
              .within(Range.atLeast(1)),
          setting("tenantHeader", SettingTypes.STRING, null,
              "request header naming the tenant; entries are never shared across tenants",
              Builder::tenantHeader),
          setting("semantic",
              SettingTypes.choice(
                  Map.of(
                      "true", SemanticMode.ON, "false", SemanticMode.OFF,
                      "shadow", SemanticMode.SHADOW),
                  "true, false or shadow"),
              DEFAULT_SEMANTIC ? SemanticMode.ON : SemanticMode.OFF,
              "semantic lookup on, off, or computed and reported but never served",
              Builder::semanticMode),
          setting("semanticRollout",
              (key, value) -> SettingTypes.integer(key, value.replace("%", "").strip()),
              DEFAULT_SEMANTIC_ROLLOUT_PERCENT,
              "percent of requests whose semantic hits are served; the others are shadowed",
              Builder::semanticRolloutPercent)
              .within(Range.between(0, 100)),
          setting("unseeded",
              SettingTypes.choice(
                  Map.of(
                      "semantic", UnseededPolicy.SEMANTIC, "share", UnseededPolicy.SEMANTIC,
                      "exact-only", UnseededPolicy.EXACT_ONLY, "exact", UnseededPolicy.EXACT_ONLY),
                  "'semantic' or 'exact-only'"),
              DEFAULT_UNSEEDED, "whether unseeded requests may get semantic hits",
              Builder::unseeded),
          setting("preset", SettingTypes.STRING, DEFAULT_PRESET,
              "match preset: strict, balanced, aggressive", Builder::preset),
          setting("threshold", SettingTypes.optional(SettingTypes.DECIMAL), null,
              "overrides the preset's similarity threshold", Builder::threshold)
              .within(GuardedMatcher.THRESHOLDS),
          setting("candidates", SettingTypes.INTEGER, DEFAULT_CANDIDATES,
              "nearest neighbours checked against threshold and guard", Builder::candidates)
              .within(Range.between(1, 50)),
          setting("maxBodyBytes", SettingTypes.INT_SIZE, DEFAULT_MAX_BODY_BYTES,
              "largest origin body stored", Builder::maxBodyBytes)
              .within(Range.atLeast(1)),
          setting("storeThreads", SettingTypes.INTEGER, DEFAULT_STORE_THREADS,
              "background store threads", Builder::storeThreads)
              .within(Range.between(1, 64)),
          setting("storeQueue", SettingTypes.INTEGER, DEFAULT_STORE_QUEUE,
              "background store queue; a full queue drops the store", Builder::storeQueue)
              .within(Range.atLeast(1)),
          setting("hotCacheBytes", SettingTypes.SIZE, DEFAULT_HOT_CACHE_BYTES,
              "in-memory tier for hot images (0 = off)", Builder::hotCacheBytes)
              .within(Range.atLeast(0L)),
          setting("hotCacheLifetime", SettingTypes.DURATION, DEFAULT_HOT_CACHE_LIFETIME,
              "longest an image stays in the in-memory tier: bounds what a lost invalidation"
                  + " message can leave served", Builder::hotCacheLifetime)
              .within(Range.above(Duration.ZERO)),
          setting("maxCacheBytes", SettingTypes.optional(SettingTypes.SIZE), null,
              "byte budget of the stored images; least recently hit entries are evicted beyond"
                  + " it (unset: no budget)", Builder::maxCacheBytes)
              .within(Range.atLeast(0L)),
          setting("maintenanceInterval", SettingTypes.DURATION, DEFAULT_MAINTENANCE_INTERVAL,
              "pause between maintenance passes (expiry, byte budget, orphan sweeps); one"
                  + " instance per pass does the work", Builder::maintenanceInterval)
              .within(Range.above(Duration.ZERO)),
          setting("memoryBudgetBytes", SettingTypes.SIZE, DEFAULT_MEMORY_BUDGET_BYTES,
              "bytes of origin answers held for storage at once", Builder::memoryBudgetBytes)
              .within(Range.atLeast(0L)),
          setting("singleFlightTimeout", SettingTypes.DURATION, DEFAULT_SINGLE_FLIGHT_TIMEOUT,
              "how long followers wait for the leader's image", Builder::singleFlightTimeout)
              .within(Range.above(Duration.ZERO)),
          setting("clusterFlightWait", SettingTypes.DURATION, DEFAULT_CLUSTER_FLIGHT_WAIT,
              "how long a miss waits for another instance fetching the same key (and how long"
                  + " a crashed instance's claim blocks it); capped at singleFlightTimeout",
              Builder::clusterFlightWait)
              .within(Range.above(Duration.ZERO)),
          setting("singleFlightMaxWaiters", SettingTypes.INTEGER,
              DEFAULT_SINGLE_FLIGHT_MAX_WAITERS, "followers that may wait at once",
              Builder::singleFlightMaxWaiters)
              .within(Range.atLeast(0)),
          setting("defaultTtl", SettingTypes.optional(SettingTypes.DURATION), null,
              "lifetime when the origin gives none", Builder::defaultTtl)
              .within(Range.above(Duration.ZERO)),
          setting("breakerFailures", SettingTypes.INTEGER, DEFAULT_BREAKER_FAILURES,
              "consecutive database failures that open the circuit breaker",
              Builder::breakerFailures)
              .within(Range.atLeast(1)),
          setting("breakerOpen", SettingTypes.DURATION, DEFAULT_BREAKER_OPEN,
              "how long the breaker stays open before a probe", Builder::breakerOpen)
              .within(Range.above(Duration.ZERO)),
          setting("staleIfError", SettingTypes.DURATION, DEFAULT_STALE_IF_ERROR,
              "how long after expiry an entry may stand in for a failing origin; 0 = off",
              Builder::staleIfError)
              .within(Range.atLeast(Duration.ZERO)),
          setting("semanticCacheControl", SettingTypes.STRING, DEFAULT_SEMANTIC_CACHE_CONTROL,
              "Cache-Control sent on semantic and alias hits instead of the origin's",
              Builder::semanticCacheControl),
          setting("storedHeaders", SettingTypes.SET, DEFAULT_STORED_HEADERS,
              "origin headers stored and replayed beyond the built-in allow-list",
              Builder::storedHeaders));

  /** Every key {@link #fromSettings(Map)} accepts, in their documented spelling. */
  public static final List<String> KEYS = SETTINGS.keys();

  private final RequestRules rules;
  private final boolean semantic;
  private final boolean semanticShadow;
  private final int semanticRolloutPercent;
  private final UnseededPolicy unseeded;
  private final Double threshold;
  private final String preset;
  private final int candidates;
  private final int maxBodyBytes;
  private final int storeThreads;
  private final int storeQueue;
  private final long hotCacheBytes;
  private final Duration hotCacheLifetime;
  private final Long maxCacheBytes;
  private final Duration maintenanceInterval;
  private final long memoryBudgetBytes;
  private final Duration singleFlightTimeout;
  private final int singleFlightMaxWaiters;
  private final Duration clusterFlightWait;
  private final Duration defaultTtl;
  private final int breakerFailures;
  private final Duration breakerOpen;
  private final Duration staleIfError;
  private final String semanticCacheControl;
  private final StoredHeaders storedHeaders;

  private DejaConfig(Builder b) {
    this.rules =
        new RequestRules(
            b.paths.stream().map(DejaConfig::prefixOf).toList(),
            b.promptParam,
            b.knownParams,
            b.ignoredParams,
            b.defaults,
            b.maxPromptChars,
            b.tenantHeader);
    this.semantic = b.semantic;
    this.semanticShadow = b.semanticShadow;
    this.semanticRolloutPercent = b.semanticRolloutPercent;
    this.unseeded = b.unseeded;
    this.threshold = b.threshold;
    this.preset = b.preset;
    this.candidates = b.candidates;
    this.maxBodyBytes = b.maxBodyBytes;
    this.storeThreads = b.storeThreads;
    this.storeQueue = b.storeQueue;
    this.hotCacheBytes = b.hotCacheBytes;
    this.hotCacheLifetime = b.hotCacheLifetime;
    this.maxCacheBytes = b.maxCacheBytes;
    this.maintenanceInterval = b.maintenanceInterval;
    this.memoryBudgetBytes = b.memoryBudgetBytes;
    this.singleFlightTimeout = b.singleFlightTimeout;
    this.singleFlightMaxWaiters = b.singleFlightMaxWaiters;
    this.clusterFlightWait = b.clusterFlightWait;
    this.defaultTtl = b.defaultTtl;
    this.breakerFailures = b.breakerFailures;
    this.breakerOpen = b.breakerOpen;
    this.staleIfError = b.staleIfError;
    this.semanticCacheControl = b.semanticCacheControl;
    this.storedHeaders = StoredHeaders.adding(b.storedHeaders);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The default configuration. */
  public static DejaConfig defaults() {
    return builder().build();
  }

  /**
   * Builds a configuration from string settings, as found in {@code web.xml} init-params, flags or
   * a properties file. Keys are those of {@link #SETTINGS}, camelCase as documented or
   * kebab-case ({@code hot-cache-bytes}); an unknown key is an error, naming it.
   */
  public static DejaConfig fromSettings(Map<String, String> settings) {
    Builder b = builder();
    SETTINGS.applyAll(b, settings);
    return b.build();
  }

  /**
   * The cached route prefixes ({@code /prompt/}) named by the {@code paths} entry of {@code
   * settings}, or the default routes without one: for a server that must keep its own paths
   * clear of the cache's, or serve an origin on the same routes.
   *
   * @throws InvalidSettingException for a bad {@code paths} value
   */
  public static List<String> routes(Map<String, String> settings) {
    Builder b = builder();
    String paths = settings.get("paths");
    if (paths != null) {
      SETTINGS.apply(b, "paths", paths);
    }
    return b.paths.stream().map(DejaConfig::prefixOf).toList();
  }

  public RequestRules rules() {
    return rules;
  }

  /** Whether prompts are embedded and semantic decisions computed (true in shadow mode too). */
  public boolean semantic() {
    return semantic;
  }

  /**
   * Shadow mode ({@code semantic=shadow}): semantic decisions are computed, shown in {@code
   * X-Semantic-Shadow} and counted, but never served: every would-be semantic hit goes to the
   * origin. For measuring a rollout before it can serve a wrong image.
   */
  public boolean semanticShadow() {
    return semanticShadow;
  }

  /**
   * Percent of requests whose semantic hits are served (by a hash of the request's key, so one
   * request is always treated the same); the others are shadowed.
   */
  public int semanticRolloutPercent() {
    return semanticRolloutPercent;
  }

  public UnseededPolicy unseeded() {
    return unseeded;
  }

  /** Explicit threshold overriding the preset's, or null. */
  public Double threshold() {
    return threshold;
  }

  /** Name of the match preset ({@code strict}, {@code balanced}, {@code aggressive}). */
  public String preset() {
    return preset;
  }

  public int candidates() {
    return candidates;
  }

  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  public int storeThreads() {
    return storeThreads;
  }

  public int storeQueue() {
    return storeQueue;
  }

  public long hotCacheBytes() {
    return hotCacheBytes;
  }

  /** Longest an image stays in the in-memory tier, whatever its own lifetime. */
  public Duration hotCacheLifetime() {
    return hotCacheLifetime;
  }

  /** Byte budget of the stored images, or null for none. */
  public Long maxCacheBytes() {
    return maxCacheBytes;
  }

  /** Pause between maintenance passes. */
  public Duration maintenanceInterval() {
    return maintenanceInterval;
  }

  /**
   * Bytes of origin answers held at once for storage: bodies being captured plus bodies queued for
   * the store. Beyond it answers still reach clients but are not stored.
   */
  public long memoryBudgetBytes() {
    return memoryBudgetBytes;
  }

  public Duration singleFlightTimeout() {
    return singleFlightTimeout;
  }

  /**
   * How long a miss waits for another instance that claimed the same key (cross-instance single
   * flight), never longer than {@link #singleFlightTimeout()}; also the lifetime of a claim.
   */
  public Duration clusterFlightWait() {
    return clusterFlightWait.compareTo(singleFlightTimeout) < 0
        ? clusterFlightWait : singleFlightTimeout;
  }

  /** Followers allowed to wait for a leader at once; more go to the origin themselves. */
  public int singleFlightMaxWaiters() {
    return singleFlightMaxWaiters;
  }

  /** Lifetime of entries whose origin answer says nothing, or null for "until evicted". */
  public Duration defaultTtl() {
    return defaultTtl;
  }

  public int breakerFailures() {
    return breakerFailures;
  }

  public Duration breakerOpen() {
    return breakerOpen;
  }

  /**
   * How long after expiry an entry may still be served when the origin fails (5xx, timeout,
   * unreachable), as RFC 5861 {@code stale-if-error}; zero turns it off. Expired entries are kept
   * this long before eviction deletes them.
   */
  public Duration staleIfError() {
    return staleIfError;
  }

  /** {@code Cache-Control} sent on semantic hits and alias hits instead of the origin's. */
  public String semanticCacheControl() {
    return semanticCacheControl;
  }

  /** The origin headers stored with entries and replayed on hits. */
  public StoredHeaders storedHeaders() {
    return storedHeaders;
  }

  /** RFC 9110 tchar: what a header name is made of. */
  private static boolean isTokenChar(int ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(ch) >= 0;
  }

  private static String prefixOf(String pattern) {
    return pattern.substring(0, pattern.length() - 1);
  }

  @Override
  public String toString() {
    return "DejaConfig{paths=" + rules.pathPrefixes() + ", semantic=" + semantic + ", preset="
        + preset + ", threshold=" + threshold + ", unseeded=" + unseeded + ", maxBodyBytes="
        + maxBodyBytes + ", hotCacheBytes=" + hotCacheBytes + ", defaultTtl=" + defaultTtl + "}";
  }

  /** Builder; every setter checks its argument and names the rule it broke. */
  public static final class Builder {
    private List<String> paths = DEFAULT_PATHS;
    private String promptParam = DEFAULT_PROMPT_PARAM;
    private Set<String> knownParams = DEFAULT_KNOWN_PARAMS;
    private Set<String> ignoredParams = DEFAULT_IGNORED_PARAMS;
    private Map<String, String> defaults = DEFAULT_DEFAULTS;
    private int maxPromptChars = DEFAULT_MAX_PROMPT_CHARS;
    private String tenantHeader;
    private boolean semantic = DEFAULT_SEMANTIC;
    private boolean semanticShadow;
    private int semanticRolloutPercent = DEFAULT_SEMANTIC_ROLLOUT_PERCENT;
    private UnseededPolicy unseeded = DEFAULT_UNSEEDED;
    private Double threshold;
    private String preset = DEFAULT_PRESET;
    private int candidates = DEFAULT_CANDIDATES;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int storeThreads = DEFAULT_STORE_THREADS;
    private int storeQueue = DEFAULT_STORE_QUEUE;
    private long hotCacheBytes = DEFAULT_HOT_CACHE_BYTES;
    private Duration hotCacheLifetime = DEFAULT_HOT_CACHE_LIFETIME;
    private Long maxCacheBytes;
    private Duration maintenanceInterval = DEFAULT_MAINTENANCE_INTERVAL;
    private long memoryBudgetBytes = DEFAULT_MEMORY_BUDGET_BYTES;
    private Duration singleFlightTimeout = DEFAULT_SINGLE_FLIGHT_TIMEOUT;
    private int singleFlightMaxWaiters = DEFAULT_SINGLE_FLIGHT_MAX_WAITERS;
    private Duration clusterFlightWait = DEFAULT_CLUSTER_FLIGHT_WAIT;
    private Duration defaultTtl;
    private int breakerFailures = DEFAULT_BREAKER_FAILURES;
    private Duration breakerOpen = DEFAULT_BREAKER_OPEN;
    private Duration staleIfError = DEFAULT_STALE_IF_ERROR;
    private String semanticCacheControl = DEFAULT_SEMANTIC_CACHE_CONTROL;
    private Set<String> storedHeaders = DEFAULT_STORED_HEADERS;

    private Builder() {}

    /** Path patterns that are cached, each ending with {@code /*}, relative to the context. */
    public Builder paths(List<String> patterns) {
      require(!patterns.isEmpty(), "paths", patterns, "must name at least one pattern");
      for (String p : patterns) {
        require(p.startsWith("/") && p.endsWith("/*"), "paths", p, "must look like /prefix/*");
      }
      this.paths = List.copyOf(patterns);
      return this;
    }

    public Builder promptParam(String name) {
      require(name != null && !name.isBlank(), "promptParam", name, "must not be blank");
      this.promptParam = name;
      return this;
    }

    /** Output-affecting parameters; any other parameter makes a request uncacheable. */
    public Builder knownParams(Set<String> names) {
      this.knownParams = Set.copyOf(names);
      return this;
    }

    /** Parameters dropped from the key because they never change the image. */
    public Builder ignoredParams(Set<String> names) {
      this.ignoredParams = Set.copyOf(names);
      return this;
    }

    /** Values applied before keying, e.g. {@code model=flux}. */
    public Builder defaults(Map<String, String> values) {
      this.defaults = Map.copyOf(values);
      return this;
    }

    public Builder maxPromptChars(int chars) {
      this.maxPromptChars = SETTINGS.check("maxPromptChars", chars);
      return this;
    }

    /** Request header naming the tenant; entries are then never shared across tenants. */
    public Builder tenantHeader(String header) {
      this.tenantHeader = header == null || header.isBlank() ? null : header;
      return this;
    }

    public Builder semantic(boolean enabled) {
      this.semantic = enabled;
      this.semanticShadow = false;
      return this;
    }

    /** Semantic decisions computed and reported, never served. */
    public Builder semanticShadow() {
      this.semantic = true;
      this.semanticShadow = true;
      return this;
    }

    /** The {@code semantic} setting as one value. */
    public Builder semanticMode(SemanticMode mode) {
      return switch (mode) {
        case ON -> semantic(true);
        case OFF -> semantic(false);
        case SHADOW -> semanticShadow();
      };
    }

    /** Percent of requests whose semantic hits are served; the rest are shadowed. */
    public Builder semanticRolloutPercent(int percent) {
      this.semanticRolloutPercent = SETTINGS.check("semanticRollout", percent);
      return this;
    }

    public Builder unseeded(UnseededPolicy policy) {
      this.unseeded = policy;
      return this;
    }

    /** Overrides the preset's similarity threshold. */
    public Builder threshold(Double value) {
      this.threshold = SETTINGS.check("threshold", value);
      return this;
    }

    public Builder preset(String name) {
      require(name != null && !name.isBlank(), "preset", name, "must not be blank");
      this.preset = name.toLowerCase(Locale.ROOT);
      return this;
    }

    /** How many nearest neighbours are checked against threshold and guard. */
    public Builder candidates(int k) {
      this.candidates = SETTINGS.check("candidates", k);
      return this;
    }

    public Builder maxBodyBytes(int bytes) {
      this.maxBodyBytes = SETTINGS.check("maxBodyBytes", bytes);
      return this;
    }

    public Builder storeThreads(int threads) {
      this.storeThreads = SETTINGS.check("storeThreads", threads);
      return this;
    }

    public Builder storeQueue(int capacity) {
      this.storeQueue = SETTINGS.check("storeQueue", capacity);
      return this;
    }

    /** Bytes of images kept in memory for hot keys; 0 turns the tier off. */
    public Builder hotCacheBytes(long bytes) {
      this.hotCacheBytes = SETTINGS.check("hotCacheBytes", bytes);
      return this;
    }

    /**
     * Longest an image stays in the in-memory tier: the bound on serving an image another
     * instance deleted when the message saying so was lost.
     */
    public Builder hotCacheLifetime(Duration lifetime) {
      this.hotCacheLifetime =
          SETTINGS.check("hotCacheLifetime", given("hotCacheLifetime", lifetime));
      return this;
    }

    /** Byte budget of the stored images; null for none. */
    public Builder maxCacheBytes(Long bytes) {
      this.maxCacheBytes = SETTINGS.check("maxCacheBytes", bytes);
      return this;
    }

    /** Pause between maintenance passes. */
    public Builder maintenanceInterval(Duration interval) {
      this.maintenanceInterval =
          SETTINGS.check("maintenanceInterval", given("maintenanceInterval", interval));
      return this;
    }

    /** Bytes of origin answers held for storage at once (captures and store queue). */
    public Builder memoryBudgetBytes(long bytes) {
      this.memoryBudgetBytes = SETTINGS.check("memoryBudgetBytes", bytes);
      return this;
    }

    public Builder singleFlightTimeout(Duration timeout) {
      this.singleFlightTimeout =
          SETTINGS.check("singleFlightTimeout", given("singleFlightTimeout", timeout));
      return this;
    }

    /** See {@link DejaConfig#clusterFlightWait()}. */
    public Builder clusterFlightWait(Duration wait) {
      this.clusterFlightWait =
          SETTINGS.check("clusterFlightWait", given("clusterFlightWait", wait));
      return this;
    }

    /**
     * Followers that may block a container thread waiting for a leader; beyond that they go to
     * the origin themselves, so a stampede on one prompt cannot exhaust the thread pool.
     */
    public Builder singleFlightMaxWaiters(int waiters) {
      this.singleFlightMaxWaiters = SETTINGS.check("singleFlightMaxWaiters", waiters);
      return this;
    }

    /** Lifetime when the origin gives none; null keeps entries until evicted. */
    public Builder defaultTtl(Duration ttl) {
      this.defaultTtl = SETTINGS.check("defaultTtl", ttl);
      return this;
    }

    public Builder breakerFailures(int failures) {
      this.breakerFailures = SETTINGS.check("breakerFailures", failures);
      return this;
    }

    public Builder breakerOpen(Duration duration) {
      this.breakerOpen = SETTINGS.check("breakerOpen", given("breakerOpen", duration));
      return this;
    }

    /** How long expired entries may stand in for a failing origin; zero turns it off. */
    public Builder staleIfError(Duration window) {
      this.staleIfError = SETTINGS.check("staleIfError", given("staleIfError", window));
      return this;
    }

    /**
     * {@code Cache-Control} for images served for another prompt than their own; the origin's
     * value (often a year, {@code immutable}) would let downstream caches keep the substitute.
     */
    public Builder semanticCacheControl(String value) {
      require(
          value != null && !value.isBlank() && value.chars().noneMatch(ch -> ch < 0x20),
          "semanticCacheControl", value, "must be a non-blank header value on one line");
      this.semanticCacheControl = value.strip();
      return this;
    }

    /**
     * Origin response headers to store and replay beyond Cache-Control, Expires,
     * Content-Disposition and Content-Language. Headers of one exchange or one client
     * (Authorization, Set-Cookie, CORS...) and those Deja generates (ETag...) are refused.
     */
    public Builder storedHeaders(Set<String> names) {
      for (String name : names) {
        require(
            !name.isEmpty() && name.chars().allMatch(DejaConfig::isTokenChar),
            "storedHeaders", name, "must be header names separated by commas");
        String why = CacheHeaders.whyNeverStored(name);
        require(why == null, "storedHeaders", name, "is never stored: " + why);
      }
      this.storedHeaders = Set.copyOf(names);
      return this;
    }

    /**
     * Sets one setting from its string form, as declared in {@link #SETTINGS}; unknown keys are
     * rejected.
     */
    public Builder set(String key, String value) {
      SETTINGS.apply(this, key, value);
      return this;
    }

    public DejaConfig build() {
      for (String name : List.of("model", "width", "height")) {
        require(
            !ignoredParams.contains(name), "ignoredParams", ignoredParams,
            "must not contain " + name + " (it decides the image)");
      }
      return new DejaConfig(this);
    }

    /** A value that has no "unset": null is refused (bounds are the table's, {@link Range}). */
    private static <T> T given(String key, T value) {
      require(value != null, key, null, "must be set");
      return value;
    }

    private static void require(boolean ok, String key, Object value, String rule) {
      if (!ok) {
        throw invalid(key, value, rule);
      }
    }

    private static InvalidSettingException invalid(String key, Object value, String rule) {
      String shown = value instanceof Object[] a ? Arrays.toString(a) : String.valueOf(value);
      return new InvalidSettingException(key, shown, rule);
    }
  }
}
