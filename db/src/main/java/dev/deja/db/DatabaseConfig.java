package dev.deja.db;

import dev.deja.db.objects.ImageStoreLocation;
import java.net.URI;
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
  /** Default {@link #hnswEfSearch()}. */
  public static final int DEFAULT_HNSW_EF_SEARCH = 64;
  /** pgvector's bounds for {@code hnsw.ef_search}. */
  private static final int MAX_EF_SEARCH = 1000;
  /** Hikari refuses less than 250 ms (it silently falls back to 30 s), so this is also the floor. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofMillis(250);
  public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(2);
  /**
   * How old an object must be before the sweep may delete it as unreferenced: far longer than a
   * store takes from writing the object to committing its row, so an image being stored is never
   * swept.
   */
  public static final Duration DEFAULT_OBJECT_SWEEP_GRACE = Duration.ofHours(1);
  /**
   * How far behind the primary a read replica may be while lookups read it: also how late a
   * delete or purge may still be missed by a lookup (docs/SCALING.md).
   */
  public static final Duration DEFAULT_READ_MAX_LAG = Duration.ofSeconds(1);

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
  private final ImageStoreLocation imageStore;
  private final URI s3Endpoint;
  private final String s3Region;
  private final Duration objectSweepGrace;
  private final int hnswEfSearch;
  private final String readUrl;
  private final Duration readMaxLag;

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
    this.imageStore = b.imageStore;
    this.s3Endpoint = b.s3Endpoint;
    this.s3Region = b.s3Region;
    this.objectSweepGrace = b.objectSweepGrace;
    this.hnswEfSearch = b.hnswEfSearch;
    this.readUrl = b.readUrl;
    this.readMaxLag = b.readMaxLag;
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
    b.imageStore = imageStore;
    b.s3Endpoint = s3Endpoint;
    b.s3Region = s3Region;
    b.objectSweepGrace = objectSweepGrace;
    b.hnswEfSearch = hnswEfSearch;
    b.readUrl = readUrl;
    b.readMaxLag = readMaxLag;
    return b;
  }

  /**
   * A JDBC URL fit for logs and error messages: a password given as a URL parameter is masked.
   */
  public static String maskUrl(String url) {
    return url == null ? null : url.replaceAll("(?i)(password=)[^&;]*", "$1****");
  }

  /** JDBC URL of the primary, {@code jdbc:postgresql://host:port/db}: writes and maintenance. */
  public String url() {
    return url;
  }

  /**
   * JDBC URL lookups read from (a streaming replica, or several with pgjdbc's {@code
   * targetServerType=preferSecondary}), or {@code null}: lookups read the primary.
   */
  public String readUrl() {
    return readUrl;
  }

  /** Lag beyond which lookups leave the replica for the primary. */
  public Duration readMaxLag() {
    return readMaxLag;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /**
   * pgvector's {@code hnsw.ef_search} for lookups through an HNSW index: the size of the candidate
   * list, i.e. recall against latency (default {@value #DEFAULT_HNSW_EF_SEARCH}, measured in
   * docs/DATABASE.md).
   */
  public int hnswEfSearch() {
    return hnswEfSearch;
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

  /** Where new images are written (default {@code postgres}). */
  public ImageStoreLocation imageStore() {
    return imageStore;
  }

  /** The S3 API's URL for a non-AWS store, or {@code null} (AWS). */
  public URI s3Endpoint() {
    return s3Endpoint;
  }

  /** The S3 signing region, or {@code null} ({@code us-east-1}). */
  public String s3Region() {
    return s3Region;
  }

  /** Age below which an unreferenced object is never swept. */
  public Duration objectSweepGrace() {
    return objectSweepGrace;
  }

  @Override
  public String toString() {
    return "DatabaseConfig{url=" + maskUrl(url)
        + (readUrl == null ? "" : ", readUrl=" + maskUrl(readUrl) + ", readMaxLag=" + readMaxLag)
        + ", user=" + user
        + ", password=" + (password == null || password.isEmpty() ? "<none>" : "****")
        + ", schema=" + schema + ", embeddingDimension=" + embeddingDimension
        + ", maxPoolSize=" + maxPoolSize + ", lookupTimeout=" + lookupTimeout
        + ", connectionTimeout=" + connectionTimeout + ", storeTimeout=" + storeTimeout
        + ", hnswEfSearch=" + hnswEfSearch + ", imageStore=" + imageStore
        + (s3Endpoint == null ? "" : ", s3Endpoint=" + s3Endpoint)
        + (s3Region == null ? "" : ", s3Region=" + s3Region) + "}";
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
    private ImageStoreLocation imageStore = ImageStoreLocation.POSTGRES;
    private URI s3Endpoint;
    private String s3Region;
    private Duration objectSweepGrace = DEFAULT_OBJECT_SWEEP_GRACE;
    private int hnswEfSearch = DEFAULT_HNSW_EF_SEARCH;
    private String readUrl;
    private Duration readMaxLag = DEFAULT_READ_MAX_LAG;

    private Builder() {}

    public Builder url(String url) {
      Objects.requireNonNull(url, "url");
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException("url must start with jdbc:postgresql: but was " + url);
      }
      this.url = url;
      return this;
    }

    /** A read replica's JDBC URL; {@code null} or empty: lookups read the primary. */
    public Builder readUrl(String readUrl) {
      if (readUrl == null || readUrl.isEmpty()) {
        this.readUrl = null;
        return this;
      }
      if (!readUrl.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "readUrl must start with jdbc:postgresql: but was " + maskUrl(readUrl));
      }
      this.readUrl = readUrl;
      return this;
    }

    public Builder readMaxLag(Duration readMaxLag) {
      this.readMaxLag = positiveMillis("readMaxLag", readMaxLag);
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

    /** See {@link DatabaseConfig#hnswEfSearch()}; 1..1000 (pgvector's bounds). */
    public Builder hnswEfSearch(int hnswEfSearch) {
      if (hnswEfSearch < 1 || hnswEfSearch > MAX_EF_SEARCH) {
        throw new IllegalArgumentException("hnswEfSearch must be within 1.." + MAX_EF_SEARCH
            + " but was " + hnswEfSearch);
      }
      this.hnswEfSearch = hnswEfSearch;
      return this;
    }

    public Builder storeTimeout(Duration storeTimeout) {
      this.storeTimeout = positiveMillis("storeTimeout", storeTimeout);
      return this;
    }

    /** {@code postgres} or {@code s3://BUCKET/PREFIX}: where new images are written. */
    public Builder imageStore(String location) {
      return imageStore(ImageStoreLocation.parse(location));
    }

    public Builder imageStore(ImageStoreLocation location) {
      this.imageStore = Objects.requireNonNull(location, "imageStore");
      return this;
    }

    /** An S3 API URL ({@code http(s)://host[:port]}); {@code null} or empty means AWS. */
    public Builder s3Endpoint(String endpoint) {
      if (endpoint == null || endpoint.isEmpty()) {
        this.s3Endpoint = null;
        return this;
      }
      URI uri;
      try {
        uri = URI.create(endpoint);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("s3Endpoint must be a URL but was '" + endpoint + "'");
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null || uri.getUserInfo() != null) {
        throw new IllegalArgumentException(
            "s3Endpoint must look like http(s)://host[:port] but was '" + endpoint + "'");
      }
      this.s3Endpoint = uri;
      return this;
    }

    /** The S3 signing region, e.g. {@code eu-west-1} or {@code auto}; empty means the default. */
    public Builder s3Region(String region) {
      if (region != null && !region.isEmpty() && !region.matches("[a-z0-9-]{1,32}")) {
        throw new IllegalArgumentException(
            "s3Region must be a region name like eu-west-1 but was '" + region + "'");
      }
      this.s3Region = region == null || region.isEmpty() ? null : region;
      return this;
    }

    /** Must exceed twice the store timeout (checked by {@link #build}). */
    public Builder objectSweepGrace(Duration grace) {
      this.objectSweepGrace = positiveMillis("objectSweepGrace", grace);
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
      if (objectSweepGrace.compareTo(storeTimeout.multipliedBy(2)) <= 0) {
        throw new IllegalStateException("objectSweepGrace (" + objectSweepGrace + ") must exceed"
            + " twice storeTimeout (" + storeTimeout + "): a store's object must never be swept"
            + " before its row commits");
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
