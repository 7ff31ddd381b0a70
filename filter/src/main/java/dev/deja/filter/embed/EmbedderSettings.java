package dev.deja.filter.embed;

import dev.deja.filter.settings.Setting;
import dev.deja.filter.settings.SettingTable;
import dev.deja.filter.settings.SettingType;
import dev.deja.filter.settings.SettingTypes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Immutable settings of the embedder, built with {@link #builder()}.
 *
 * <p>Every default lives in one {@code DEFAULT_*} constant used by the code and the docs. Builder
 * methods reject a bad value immediately with a message naming the setting, the value and the
 * rule; {@link Builder#build()} checks rules that span several settings. {@link #fromMap(Map)}
 * feeds string key/values (init-params, flags, environment) into the same builder and rejects
 * unknown keys.
 *
 * <pre>{@code
 * EmbedderSettings settings = EmbedderSettings.builder().cacheSize(50_000).build();
 * try (Embedder embedder = Embedders.create(settings)) { ... }
 * }</pre>
 */
public final class EmbedderSettings {

  /** Bundled BGE-small-en-v1.5, int8-quantized, 384 dimensions: fast (about 3 ms). */
  public static final String BGE_SMALL_INT8 = "bge-small-en-v1.5-q";
  /** Bundled BGE-small-en-v1.5, fp32, 384 dimensions: about 4x slower; needs an extra jar. */
  public static final String BGE_SMALL_FP32 = "bge-small-en-v1.5";
  /** Names accepted by {@link Builder#model(String)}. */
  public static final List<String> BUNDLED_MODELS = List.of(BGE_SMALL_INT8, BGE_SMALL_FP32);

  public static final String DEFAULT_MODEL = BGE_SMALL_INT8;
  public static final Pooling DEFAULT_POOLING = Pooling.CLS;
  /** Tokens per prompt including {@code [CLS]} and {@code [SEP]}; longer prompts get no vector. */
  public static final int DEFAULT_MAX_TOKENS = 512;
  /** Bundled BGE models have 512 position embeddings. */
  public static final int BUNDLED_MAX_TOKENS = 512;
  /** One thread per inference: requests already run in parallel. */
  public static final int DEFAULT_INTRA_OP_THREADS = 1;
  /** Marker for "one per available processor", the default of max concurrent inferences. */
  public static final int DEFAULT_MAX_CONCURRENT_INFERENCES = 0;
  /** How long a request waits for an inference slot before giving up (and going to the origin). */
  public static final Duration DEFAULT_INFERENCE_WAIT_TIMEOUT = Duration.ofMillis(500);
  public static final int DEFAULT_CACHE_SIZE = 10_000;
  public static final boolean DEFAULT_WARM_UP = true;

  static final int MIN_MAX_TOKENS = 8;
  static final int MAX_MAX_TOKENS = 8192;
  static final int MAX_THREADS = 256;
  static final int MAX_CONCURRENT = 1024;
  static final Duration MAX_WAIT_TIMEOUT = Duration.ofMinutes(1);
  static final int MAX_CACHE_SIZE = 10_000_000;

  private final String model;
  private final Path modelFile;
  private final Path tokenizerFile;
  private final String modelName;
  private final Pooling pooling;
  private final int maxTokens;
  private final int intraOpThreads;
  private final int maxConcurrentInferences;
  private final Duration inferenceWaitTimeout;
  private final int cacheSize;
  private final boolean warmUp;

  private EmbedderSettings(Builder b) {
    this.model = b.model;
    this.modelFile = b.modelFile;
    this.tokenizerFile = b.tokenizerFile;
    this.modelName = b.modelFile == null ? b.model : b.modelName != null ? b.modelName
        : nameFromFile(b.modelFile);
    this.pooling = b.pooling;
    this.maxTokens = b.maxTokens;
    this.intraOpThreads = b.intraOpThreads;
    this.maxConcurrentInferences = b.maxConcurrentInferences == DEFAULT_MAX_CONCURRENT_INFERENCES
        ? Runtime.getRuntime().availableProcessors() : b.maxConcurrentInferences;
    this.inferenceWaitTimeout = b.inferenceWaitTimeout;
    this.cacheSize = b.cacheSize;
    this.warmUp = b.warmUp;
  }

  /** Settings with every default: the bundled int8 BGE-small model. */
  public static EmbedderSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  private static <T> Setting<Builder, T> setting(
      String key, SettingType<T> type, T defaultValue, String doc, BiConsumer<Builder, T> setter) {
    return Setting.of(key, type, defaultValue, doc, setter);
  }

  /**
   * Every embedder setting as a string key, declared once (without the {@code embedding.} prefix
   * the filter adds). Applied in this order, so a model file always follows the bundled name.
   */
  public static final SettingTable<Builder> SETTINGS =
      new SettingTable<>(
          "embedder setting",
          setting("model", SettingTypes.STRING, DEFAULT_MODEL,
              "bundled model: " + BGE_SMALL_INT8 + " (int8) or " + BGE_SMALL_FP32
                  + " (fp32, with its jar added)",
              Builder::model),
          setting("model-file", SettingTypes.PATH, null,
              "a BGE-style ONNX model on disk; needs tokenizer-file",
              (b, file) -> b.modelFile = file),
          setting("tokenizer-file", SettingTypes.PATH, null,
              "the tokenizer.json of model-file", (b, file) -> b.tokenizerFile = file),
          setting("model-name", SettingTypes.STRING, null,
              "name of a model loaded from files (default: from the file name)",
              Builder::modelName),
          setting("pooling", (key, value) -> Pooling.parse(value), DEFAULT_POOLING,
              "cls (BGE) or mean", Builder::pooling),
          setting("max-tokens", SettingTypes.INTEGER, DEFAULT_MAX_TOKENS,
              "tokens per prompt; longer prompts get no vector (exact caching only)",
              Builder::maxTokens),
          setting("intra-op-threads", SettingTypes.INTEGER, DEFAULT_INTRA_OP_THREADS,
              "ONNX threads per inference (requests already run in parallel)",
              Builder::intraOpThreads),
          // The builder's 0 means "one per processor"; as a setting it is simply unset.
          setting("max-concurrent-inferences", SettingTypes.INTEGER, null,
              "inferences run at once (default: one per available processor)",
              Builder::maxConcurrentInferences),
          // A key named in milliseconds takes a bare number of them; renaming it would break
          // existing configurations.
          setting("inference-wait-timeout-ms", SettingTypes.INTEGER,
              (int) DEFAULT_INFERENCE_WAIT_TIMEOUT.toMillis(),
              "milliseconds a request waits for an inference slot before going to the origin",
              (b, ms) -> b.inferenceWaitTimeout(Duration.ofMillis(ms))),
          setting("cache-size", SettingTypes.INTEGER, DEFAULT_CACHE_SIZE,
              "recent prompt -> vector cache entries (0 = off)", Builder::cacheSize),
          setting("warm-up", SettingTypes.BOOLEAN, DEFAULT_WARM_UP,
              "run one inference at startup so no request pays for it", Builder::warmUp));

  /**
   * Builds settings from string key/values, the keys of {@link #SETTINGS}.
   *
   * @throws IllegalArgumentException for an unknown key or a bad value, naming both
   */
  public static EmbedderSettings fromMap(Map<String, String> values) {
    Builder b = builder();
    SETTINGS.applyAll(b, values);
    return b.build();
  }

  /** {@code model.onnx} is the usual export name, so its directory names the model instead. */
  private static String nameFromFile(Path file) {
    String name = String.valueOf(file.getFileName());
    if (name.endsWith(".onnx")) {
      name = name.substring(0, name.length() - ".onnx".length());
    }
    Path parent = file.toAbsolutePath().getParent();
    if (name.equals("model") && parent != null && parent.getFileName() != null) {
      name = parent.getFileName().toString();
    }
    return name.replaceAll("[\\s@]", "_");
  }

  /** Name of a bundled model, or empty when the model is loaded from files. */
  public Optional<String> bundledModel() {
    return Optional.ofNullable(modelFile == null ? model : null);
  }

  /** The {@code .onnx} file, when the model is loaded from disk. */
  public Optional<Path> modelFile() {
    return Optional.ofNullable(modelFile);
  }

  /** The {@code tokenizer.json} file, when the model is loaded from disk. */
  public Optional<Path> tokenizerFile() {
    return Optional.ofNullable(tokenizerFile);
  }

  /** Name that prefixes {@link Embedder#modelId()}. */
  public String modelName() {
    return modelName;
  }

  public Pooling pooling() {
    return pooling;
  }

  public int maxTokens() {
    return maxTokens;
  }

  public int intraOpThreads() {
    return intraOpThreads;
  }

  /** Resolved value: the number of available processors unless set. */
  public int maxConcurrentInferences() {
    return maxConcurrentInferences;
  }

  public Duration inferenceWaitTimeout() {
    return inferenceWaitTimeout;
  }

  /** Maximum cached prompts; 0 disables the cache. */
  public int cacheSize() {
    return cacheSize;
  }

  public boolean warmUp() {
    return warmUp;
  }

  @Override
  public String toString() {
    return "EmbedderSettings{model=" + (modelFile == null ? model : modelFile)
        + (tokenizerFile == null ? "" : ", tokenizerFile=" + tokenizerFile)
        + ", modelName=" + modelName + ", pooling=" + pooling.key() + ", maxTokens=" + maxTokens
        + ", intraOpThreads=" + intraOpThreads
        + ", maxConcurrentInferences=" + maxConcurrentInferences
        + ", inferenceWaitTimeout=" + inferenceWaitTimeout.toMillis() + "ms"
        + ", cacheSize=" + cacheSize + ", warmUp=" + warmUp + "}";
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private String model = DEFAULT_MODEL;
    private Path modelFile;
    private Path tokenizerFile;
    private String modelName;
    private Pooling pooling = DEFAULT_POOLING;
    private int maxTokens = DEFAULT_MAX_TOKENS;
    private int intraOpThreads = DEFAULT_INTRA_OP_THREADS;
    private int maxConcurrentInferences = DEFAULT_MAX_CONCURRENT_INFERENCES;
    private Duration inferenceWaitTimeout = DEFAULT_INFERENCE_WAIT_TIMEOUT;
    private int cacheSize = DEFAULT_CACHE_SIZE;
    private boolean warmUp = DEFAULT_WARM_UP;

    private Builder() {}

    /**
     * Selects a bundled model by name: {@link #BGE_SMALL_INT8} (default) or {@link
     * #BGE_SMALL_FP32}. Clears model files set earlier.
     */
    public Builder model(String name) {
      if (!BUNDLED_MODELS.contains(name)) {
        throw new IllegalArgumentException("model: '" + name + "' is not a bundled model; use one"
            + " of " + BUNDLED_MODELS + ", or modelFiles(onnx, tokenizer.json) for a model on disk");
      }
      this.model = name;
      this.modelFile = null;
      this.tokenizerFile = null;
      return this;
    }

    /**
     * Loads a BGE-style model from disk: an ONNX file whose inputs include {@code input_ids} and
     * {@code attention_mask}, and the HuggingFace {@code tokenizer.json} that goes with it. The
     * files are checked when the embedder is created, not here.
     */
    public Builder modelFiles(Path onnxFile, Path tokenizerJson) {
      Objects.requireNonNull(onnxFile, "modelFiles: onnxFile must not be null");
      Objects.requireNonNull(tokenizerJson, "modelFiles: tokenizerJson must not be null");
      this.modelFile = onnxFile;
      this.tokenizerFile = tokenizerJson;
      return this;
    }

    /**
     * Name of a model loaded from files, used in {@link Embedder#modelId()}. Default: the file
     * name without {@code .onnx}, or the directory name for a file called {@code model.onnx}.
     */
    public Builder modelName(String name) {
      if (name == null || name.isBlank() || !name.matches("[^\\s@]+")) {
        throw new IllegalArgumentException(
            "modelName: '" + name + "' must be non-blank without spaces or '@'");
      }
      this.modelName = name;
      return this;
    }

    public Builder pooling(Pooling pooling) {
      this.pooling = Objects.requireNonNull(pooling, "pooling must not be null");
      return this;
    }

    /** Tokens per prompt including special tokens; longer prompts get no vector (exact only). */
    public Builder maxTokens(int maxTokens) {
      this.maxTokens = checkRange("maxTokens", maxTokens, MIN_MAX_TOKENS, MAX_MAX_TOKENS);
      return this;
    }

    /** Threads ONNX Runtime uses inside one inference. */
    public Builder intraOpThreads(int threads) {
      this.intraOpThreads = checkRange("intraOpThreads", threads, 1, MAX_THREADS);
      return this;
    }

    /** Inferences allowed to run at the same time; further requests wait (bounded). */
    public Builder maxConcurrentInferences(int max) {
      this.maxConcurrentInferences = checkRange("maxConcurrentInferences", max, 1, MAX_CONCURRENT);
      return this;
    }

    /**
     * How long {@link Embedder#embed(String)} waits for an inference slot before it throws {@link
     * EmbeddingException} (the caller then goes to the origin) instead of queueing forever.
     */
    public Builder inferenceWaitTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()
          || timeout.compareTo(MAX_WAIT_TIMEOUT) > 0) {
        throw new IllegalArgumentException("inferenceWaitTimeout: " + timeout
            + " must be positive and at most " + MAX_WAIT_TIMEOUT);
      }
      this.inferenceWaitTimeout = timeout;
      return this;
    }

    /** Maximum number of cached prompt vectors; 0 disables the cache. */
    public Builder cacheSize(int entries) {
      this.cacheSize = checkRange("cacheSize", entries, 0, MAX_CACHE_SIZE);
      return this;
    }

    /** Run one inference while the embedder is created, so no request pays for it. */
    public Builder warmUp(boolean warmUp) {
      this.warmUp = warmUp;
      return this;
    }

    /** Checks rules across settings and returns the immutable settings. */
    public EmbedderSettings build() {
      if ((modelFile == null) != (tokenizerFile == null)) {
        throw new IllegalArgumentException(
            "model-file and tokenizer-file must be given together (got model-file=" + modelFile
                + ", tokenizer-file=" + tokenizerFile + ")");
      }
      if (modelFile == null) {
        if (modelName != null) {
          throw new IllegalArgumentException("modelName: '" + modelName
              + "' applies only to models loaded with modelFiles; bundled model '" + model
              + "' keeps its name");
        }
        if (maxTokens > BUNDLED_MAX_TOKENS) {
          throw new IllegalArgumentException("maxTokens: " + maxTokens + " exceeds the "
              + BUNDLED_MAX_TOKENS + " positions of bundled model '" + model + "'");
        }
      }
      return new EmbedderSettings(this);
    }

    private static int checkRange(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + ": " + value + " must be between " + min + " and " + max);
      }
      return value;
    }
  }
}
