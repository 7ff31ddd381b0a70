package dev.deja.db;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Immutable settings of the cache database. Built with {@link #builder()}; every setter rejects a
 * bad value at once with a message naming the field and the rule.
 */
public final class DatabaseConfig {

  public static final String DEFAULT_SCHEMA = "deja";
  public static final int DEFAULT_MAX_POOL_SIZE = 10;
  public static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofMillis(50);
  /** Hikari refuses less than 250 ms (it silently falls back to 30 s), so this is also the floor. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofMillis(250);
  public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(2);

  private static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);
  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  /** pgvector's limit for an indexable {@code vector} column. */
  private static final int MAX_INDEXABLE_DIMENSION = 2000;

  private final String url;
  private final String user;
  private final String password;
  private final String schema;
  private final int embeddingDimension;
  private final int maxPoolSize;
  private final Duration lookupTimeout;
  private final Duration connectionTimeout;
  private final Duration storeTimeout;

  private DatabaseConfig(Builder b) {
    this.url = b.url;
    this.user = b.user;
    this.password = b.password;
    this.schema = b.schema;
    this.embeddingDimension = b.embeddingDimension;
    this.maxPoolSize = b.maxPoolSize;
    this.lookupTimeout = b.lookupTimeout;
    this.connectionTimeout = b.connectionTimeout;
    this.storeTimeout = b.storeTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset with this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.url = url;
    b.user = user;
    b.password = password;
    b.schema = schema;
    b.embeddingDimension = embeddingDimension;
    b.maxPoolSize = maxPoolSize;
    b.lookupTimeout = lookupTimeout;
    b.connectionTimeout = connectionTimeout;
    b.storeTimeout = storeTimeout;
    return b;
  }

  /** JDBC URL, {@code jdbc:postgresql://host:port/db}. */
  /**
   * A JDBC URL fit for logs and error messages: a password given as a URL parameter is masked.
   */
  public static String maskUrl(String url) {
    return url == null ? null : url.replaceAll("(?i)(password=)[^&;]*", "$1****");
  }

  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** Schema holding Deja's tables and views (default {@value #DEFAULT_SCHEMA}). */
  public String schema() {
    return schema;
  }

  /** Dimension of the prompt embeddings; fixed per schema. */
  public int embeddingDimension() {
    return embeddingDimension;
  }

  public int maxPoolSize() {
    return maxPoolSize;
  }

  /** Statement timeout of lookups, so a slow database cannot hold a request. */
  public Duration lookupTimeout() {
    return lookupTimeout;
  }

  /** Longest wait for a pooled connection. */
  public Duration connectionTimeout() {
    return connectionTimeout;
  }

  /** Statement timeout of stores and maintenance statements. */
  public Duration storeTimeout() {
    return storeTimeout;
  }

  @Override
  public String toString() {
    return "DatabaseConfig{url=" + url + ", user=" + user
        + ", password=" + (password == null || password.isEmpty() ? "<none>" : "****")
        + ", schema=" + schema + ", embeddingDimension=" + embeddingDimension
        + ", maxPoolSize=" + maxPoolSize + ", lookupTimeout=" + lookupTimeout
        + ", connectionTimeout=" + connectionTimeout + ", storeTimeout=" + storeTimeout + "}";
  }

  /** Builds a {@link DatabaseConfig}; not thread-safe. */
  public static final class Builder {
    private String url;
    private String user;
    private String password = "";
    private String schema = DEFAULT_SCHEMA;
    private int embeddingDimension;
    private int maxPoolSize = DEFAULT_MAX_POOL_SIZE;
    private Duration lookupTimeout = DEFAULT_LOOKUP_TIMEOUT;
    private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
    private Duration storeTimeout = DEFAULT_STORE_TIMEOUT;

    private Builder() {}

    public Builder url(String url) {
      Objects.requireNonNull(url, "url");
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException("url must start with jdbc:postgresql: but was " + url);
      }
      this.url = url;
      return this;
    }

    public Builder user(String user) {
      this.user = Objects.requireNonNull(user, "user");
      return this;
    }

    /** Password; {@code null} means none. Never printed. */
    public Builder password(String password) {
      this.password = password == null ? "" : password;
      return this;
    }

    public Builder schema(String schema) {
      Objects.requireNonNull(schema, "schema");
      if (!SCHEMA_NAME.matcher(schema).matches()) {
        throw new IllegalArgumentException("schema must match " + SCHEMA_NAME.pattern()
            + " (lowercase SQL identifier, max 63 chars) but was '" + schema + "'");
      }
      this.schema = schema;
      return this;
    }

    public Builder embeddingDimension(int embeddingDimension) {
      if (embeddingDimension < 1 || embeddingDimension > MAX_INDEXABLE_DIMENSION) {
        throw new IllegalArgumentException("embeddingDimension must be within 1.."
            + MAX_INDEXABLE_DIMENSION + " (pgvector HNSW limit) but was " + embeddingDimension);
      }
      this.embeddingDimension = embeddingDimension;
      return this;
    }

    public Builder maxPoolSize(int maxPoolSize) {
      if (maxPoolSize < 1) {
        throw new IllegalArgumentException("maxPoolSize must be >= 1 but was " + maxPoolSize);
      }
      this.maxPoolSize = maxPoolSize;
      return this;
    }

    public Builder lookupTimeout(Duration lookupTimeout) {
      this.lookupTimeout = positiveMillis("lookupTimeout", lookupTimeout);
      return this;
    }

    public Builder connectionTimeout(Duration connectionTimeout) {
      positiveMillis("connectionTimeout", connectionTimeout);
      if (connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
        throw new IllegalArgumentException("connectionTimeout must be >= 250ms (HikariCP floor)"
            + " but was " + connectionTimeout.toMillis() + "ms");
      }
      this.connectionTimeout = connectionTimeout;
      return this;
    }

    public Builder storeTimeout(Duration storeTimeout) {
      this.storeTimeout = positiveMillis("storeTimeout", storeTimeout);
      return this;
    }

    /** Checks the required fields and returns the immutable configuration. */
    public DatabaseConfig build() {
      if (url == null) {
        throw new IllegalStateException("url is required");
      }
      if (user == null) {
        throw new IllegalStateException("user is required");
      }
      if (embeddingDimension == 0) {
        throw new IllegalStateException(
            "embeddingDimension is required (the embedding model's output dimension)");
      }
      return new DatabaseConfig(this);
    }

    private static Duration positiveMillis(String field, Duration d) {
      Objects.requireNonNull(d, field);
      if (d.toMillis() < 1) {
        throw new IllegalArgumentException(field + " must be >= 1ms but was " + d);
      }
      return d;
    }
  }
}
