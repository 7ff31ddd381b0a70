package dev.deja.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool.PoolInitializationException;
import dev.deja.db.internal.CacheEntryEntity;
import dev.deja.db.internal.ImageBlobEntity;
import dev.deja.db.internal.PostgresCacheRepository;
import dev.deja.db.objects.ObjectStore;
import dev.deja.db.objects.S3ObjectStore;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.spi.SchemaManagementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache database: connection pool, schema migrations and repository.
 *
 * <pre>{@code
 * try (DejaDatabase db = DejaDatabase.open(config)) {
 *   db.repository().findExact(key);
 * }
 * }</pre>
 */
public final class DejaDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DejaDatabase.class);
  /** First key of the migration advisory lock; the second is the schema name's hash. */
  private static final int MIGRATION_LOCK_CLASS = 0x64656a61; // "deja"
  /** pgjdbc takes these in seconds; 1 s is its floor. The pool's 250 ms wait bounds callers. */
  private static final String CONNECT_TIMEOUT_SECONDS = "1";

  /** Which pool a connection belongs to: the suffix of its {@link #applicationName}. */
  public static final String LOOKUP_POOL = "lookup";
  /** See {@link #LOOKUP_POOL}. */
  public static final String STORE_POOL = "store";
  /** See {@link #LOOKUP_POOL}: lookups on the read replica. */
  public static final String REPLICA_POOL = "replica";

  private final HikariDataSource lookupPool;
  /** Lookups on a read replica, or null (see {@link DatabaseConfig#readUrl()}). */
  private final HikariDataSource replicaPool;
  private final HikariDataSource dataSource;
  private final EntityManagerFactory emf;
  private final PostgresCacheRepository repository;
  private final ObjectStore objects;

  private DejaDatabase(HikariDataSource lookupPool, HikariDataSource replicaPool,
      HikariDataSource ds, EntityManagerFactory emf, PostgresCacheRepository repo,
      ObjectStore objects) {
    this.lookupPool = lookupPool;
    this.replicaPool = replicaPool;
    this.dataSource = ds;
    this.emf = emf;
    this.repository = repo;
    this.objects = objects;
  }

  /**
   * Connects, creates or migrates the schema, and checks it fits the configuration.
   *
   * @throws CacheUnavailableException when the database cannot be reached or migrated
   * @throws SchemaMismatchException when the schema was made for another embedding dimension, or
   *     a mapped entity no longer fits it (Hibernate's validation)
   */
  public static DejaDatabase open(DatabaseConfig config) {
    Objects.requireNonNull(config, "config");
    if (!config.imageStore().isObjectStore()) {
      return open(config, null);
    }
    ObjectStore objects =
        S3ObjectStore.create(config.imageStore(), config.s3Endpoint(), config.s3Region());
    try {
      return open(config, objects);
    } catch (RuntimeException e) {
      objects.close();
      throw e;
    }
  }

  /**
   * As {@link #open(DatabaseConfig)}, with images in {@code objects} (which the database closes),
   * or in PostgreSQL when it is {@code null}.
   *
   * @throws CacheUnavailableException also when the object store's bucket cannot be reached
   */
  public static DejaDatabase open(DatabaseConfig config, ObjectStore objects) {
    Objects.requireNonNull(config, "config");
    if (objects != null) {
      objects.check(); // a wrong bucket or endpoint fails here, not on the first image
    }
    String vectorSchema;
    try (Connection c = DriverManager.getConnection(config.url(), bootstrapProperties(config))) {
      vectorSchema = ensureVectorExtension(c);
      warnIfOldPgvector(c);
      // Serialize whole opens (extension, Flyway, dimension check) per schema: Flyway locks its
      // own migrate, but two instances racing on an empty schema still trip over each other.
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(?, hashtext(?))")) {
        ps.setInt(1, MIGRATION_LOCK_CLASS);
        ps.setString(2, config.schema());
        ps.execute();
      }
      HikariDataSource ds = null;
      try {
        checkDimension(c, config);
        ds = storePool(config, vectorSchema);
        migrate(ds, config, vectorSchema);
        checkDimension(c, config);
      } catch (RuntimeException e) {
        if (ds != null) {
          ds.close();
        }
        throw e;
      } finally {
        try (PreparedStatement ps =
            c.prepareStatement("SELECT pg_advisory_unlock(?, hashtext(?))")) {
          ps.setInt(1, MIGRATION_LOCK_CLASS);
          ps.setString(2, config.schema());
          ps.execute();
        }
      }
      HikariDataSource lookups = null;
      HikariDataSource replica = null;
      try {
        lookups = lookupPool(config, vectorSchema);
        replica = config.readUrl() == null ? null : replicaPool(config, vectorSchema);
        EntityManagerFactory emf = entityManagerFactory(ds, config);
        LOG.info("Opened cache database {} schema {} (pgvector in {}), images in {};"
                + " pools: {} lookup + {} store connections",
            DatabaseConfig.maskUrl(config.url()), config.schema(), vectorSchema,
            objects == null ? "postgres" : objects.location(),
            lookupPoolSize(config.maxPoolSize()), storePoolSize(config.maxPoolSize()));
        if (replica != null) {
          LOG.info("Lookups read {} while it lags the primary by at most {}",
              DatabaseConfig.maskUrl(config.readUrl()), config.readMaxLag());
        }
        return new DejaDatabase(lookups, replica, ds, emf,
            new PostgresCacheRepository(lookups, replica, ds, emf, config, objects), objects);
      } catch (RuntimeException e) {
        if (lookups != null) {
          lookups.close();
        }
        if (replica != null) {
          replica.close();
        }
        ds.close();
        throw e;
      }
    } catch (SQLException | FlywayException | PoolInitializationException e) {
      throw new CacheUnavailableException("postgresql", "open", e);
    }
  }

  /** The repository; thread-safe, one per database. */
  public CacheStore repository() {
    return repository;
  }

  /**
   * How far the read replica lagged the primary at the last check, in milliseconds: -1 when it
   * did not answer, 0 when no {@link DatabaseConfig#readUrl()} is set.
   */
  public long replicaLagMillis() {
    return repository.replicaLagMillis();
  }

  /** Whether lookups read the replica right now (it answers and is within the lag bound). */
  public boolean readsReplica() {
    return repository.readsReplica();
  }

  /** Claims for cross-instance single flight, kept on the primary. */
  public FlightClaims flightClaims() {
    return repository.flightClaims();
  }

  /**
   * The store pool, for callers that need plain JDBC (e.g. inspection tools): default session
   * settings, no lookup budget. The lookup pool is never handed out, since its connections carry
   * session settings that only lookups may rely on.
   */
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    try {
      repository.close(); // its background index work first: it has its own connection
      emf.close();
    } finally {
      try {
        lookupPool.close();
        if (replicaPool != null) {
          replicaPool.close();
        }
      } finally {
        try {
          dataSource.close();
        } finally {
          if (objects != null) {
            objects.close();
          }
        }
      }
    }
  }

  private static Properties bootstrapProperties(DatabaseConfig config) {
    Properties p = new Properties();
    p.setProperty("user", config.user());
    p.setProperty("password", config.password());
    p.setProperty("connectTimeout", CONNECT_TIMEOUT_SECONDS);
    p.setProperty("ApplicationName", "deja-migrate");
    return p;
  }

  private static String ensureVectorExtension(Connection c) throws SQLException {
    String schema = vectorSchema(c);
    if (schema != null) {
      return schema;
    }
    try (Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public");
    } catch (SQLException e) {
      // Another instance may have won the race (unique violation); anything else is fatal.
      schema = vectorSchema(c);
      if (schema != null) {
        return schema;
      }
      throw new SQLException("pgvector is not installed in this database and could not be"
          + " created (" + e.getMessage() + "). Run CREATE EXTENSION vector as a superuser, or"
          + " for tests start db/local-pg.sh.", e.getSQLState(), e);
    }
    return vectorSchema(c);
  }

  /** The first pgvector release with the HNSW fixes Deja relies on at scale. */
  static final String RECOMMENDED_PGVECTOR = "0.8.3";

  private static void warnIfOldPgvector(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'")) {
      if (rs.next() && olderThan(rs.getString(1), RECOMMENDED_PGVECTOR)) {
        LOG.warn("Deja: pgvector {} is older than {}, which fixes HNSW bugs this cache can hit:"
            + " vacuum of HNSW indexes (pruned entries) and parallel index builds."
            + " Upgrade the extension (ALTER EXTENSION vector UPDATE) when your provider"
            + " offers it.",
            rs.getString(1), RECOMMENDED_PGVECTOR);
      }
    }
  }

  /** Whether dotted {@code version} is below {@code minimum}; unreadable parts count as 0. */
  static boolean olderThan(String version, String minimum) {
    String[] a = version.split("[.-]");
    String[] b = minimum.split("[.-]");
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      int x = i < a.length ? leadingNumber(a[i]) : 0;
      int y = i < b.length ? leadingNumber(b[i]) : 0;
      if (x != y) {
        return x < y;
      }
    }
    return false;
  }

  private static int leadingNumber(String part) {
    int n = 0;
    for (int i = 0; i < part.length() && Character.isDigit(part.charAt(i)) && i < 9; i++) {
      n = n * 10 + (part.charAt(i) - '0');
    }
    return n;
  }

  private static String vectorSchema(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT n.nspname FROM pg_extension e"
            + " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * Connections of the store pool: a third of {@code maxPoolSize}, at least 2 (the default 10
   * gives 3). Its users are few and off the request path: the store threads (2 by default), hit
   * and outcome recording, one maintenance job at a time, Flyway and Hibernate at open.
   */
  static int storePoolSize(int maxPoolSize) {
    return Math.max(2, maxPoolSize / 3);
  }

  /**
   * Connections of the lookup pool: the rest of {@code maxPoolSize}, at least 1 (the default 10
   * gives 7). A lookup holds its connection for one round trip (about a millisecond), so a few
   * connections serve many request threads; {@code maxPoolSize} stays the total a Deja instance
   * opens (at least 3), which is what a DBA sizes {@code max_connections} against.
   */
  static int lookupPoolSize(int maxPoolSize) {
    return Math.max(1, maxPoolSize - storePoolSize(maxPoolSize));
  }

  /** Stores, management, Flyway and Hibernate: transactions that bound themselves per statement. */
  private static HikariDataSource storePool(DatabaseConfig config, String vectorSchema) {
    HikariConfig h = poolConfig(config, vectorSchema, STORE_POOL);
    h.setMaximumPoolSize(storePoolSize(config.maxPoolSize()));
    h.setMinimumIdle(1);
    // Loads pgvector's library when the pool opens a connection, not on a store's first insert.
    h.setConnectionInitSql("SELECT '[0]'::vector");
    return new HikariDataSource(h);
  }

  /**
   * The request path's reads: each connection opened with the lookup session settings (budget,
   * planner, HNSW), in auto-commit, so a lookup is one statement and one round trip.
   */
  private static HikariDataSource lookupPool(DatabaseConfig config, String vectorSchema) {
    HikariConfig h = poolConfig(config, vectorSchema, LOOKUP_POOL);
    int size = lookupPoolSize(config.maxPoolSize());
    h.setMaximumPoolSize(size);
    h.setMinimumIdle(Math.min(2, size));
    h.setAutoCommit(true);
    h.setConnectionInitSql(PostgresCacheRepository.lookupSessionSql(config));
    return new HikariDataSource(h);
  }

  /**
   * The lookup pool's twin on the read replica. A replica that is down at startup does not fail
   * the open (lookups read the primary until it answers), so the pool starts empty.
   */
  private static HikariDataSource replicaPool(DatabaseConfig config, String vectorSchema) {
    HikariConfig h = poolConfig(config, vectorSchema, REPLICA_POOL);
    h.setJdbcUrl(config.readUrl());
    h.setMaximumPoolSize(lookupPoolSize(config.maxPoolSize()));
    h.setMinimumIdle(0);
    h.setInitializationFailTimeout(-1);
    h.setAutoCommit(true);
    h.setReadOnly(true);
    h.setConnectionInitSql(PostgresCacheRepository.lookupSessionSql(config));
    return new HikariDataSource(h);
  }

  private static HikariConfig poolConfig(DatabaseConfig config, String vectorSchema,
      String pool) {
    HikariConfig h = new HikariConfig();
    h.setPoolName("deja-" + config.schema() + "-" + pool);
    h.setJdbcUrl(config.url());
    h.setUsername(config.user());
    h.setPassword(config.password());
    h.setConnectionTimeout(config.connectionTimeout().toMillis());
    h.setValidationTimeout(config.connectionTimeout().toMillis());
    h.setInitializationFailTimeout(config.connectionTimeout().toMillis());
    // The configured schema first, then pgvector's for the vector type and operators.
    h.addDataSourceProperty("currentSchema", config.schema() + "," + vectorSchema);
    h.addDataSourceProperty("connectTimeout", CONNECT_TIMEOUT_SECONDS);
    h.addDataSourceProperty("tcpKeepAlive", "true");
    h.addDataSourceProperty("ApplicationName", applicationName(config.schema(), pool));
    return h;
  }

  /**
   * How a pool's connections show in {@code pg_stat_activity}: {@code deja/<schema>/<pool>}
   * ({@link #LOOKUP_POOL} or {@link #STORE_POOL}), so an operator (or a test) can tell instances of
   * different caches, and the request path from the background, apart and act on one of them
   * only. PostgreSQL keeps 63 bytes of it; the pool suffix is kept whole.
   */
  public static String applicationName(String schema, String pool) {
    String suffix = "/" + pool;
    String name = "deja/" + schema;
    return (name.length() + suffix.length() <= 63
        ? name : name.substring(0, 63 - suffix.length())) + suffix;
  }

  private static void migrate(DataSource ds, DatabaseConfig config, String vectorSchema) {
    Flyway.configure(DejaDatabase.class.getClassLoader())
        .dataSource(ds)
        .schemas(config.schema())
        .defaultSchema(config.schema())
        .locations("classpath:db/migration")
        .placeholders(Map.of(
            "embedding_dimension", Integer.toString(config.embeddingDimension()),
            "vector_schema", vectorSchema))
        .load()
        .migrate();
  }

  private static void checkDimension(Connection c, DatabaseConfig config) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT a.atttypmod FROM pg_attribute a"
        + " JOIN pg_class t ON t.oid = a.attrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        + " WHERE n.nspname = ? AND t.relname = 'cache_entry' AND a.attname = 'embedding'")) {
      ps.setString(1, config.schema());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getInt(1) != config.embeddingDimension()) {
          throw new SchemaMismatchException("Schema '" + config.schema() + "' stores embeddings"
              + " of dimension " + rs.getInt(1) + " but the configured embedding model has "
              + config.embeddingDimension() + ". Use an embedding model of dimension "
              + rs.getInt(1) + ", or configure a new schema (or database) for this model.");
        }
      }
    }
  }

  /**
   * Hibernate for the management plane, over the pool the data plane uses. The schema belongs to
   * Flyway: Hibernate never changes it, but it does check at boot that every mapped entity still
   * fits it ({@code validate}), so a migration that renames or retypes a mapped column fails the
   * start instead of the first purge or listing. Validation reads the catalog, which needs JDBC
   * metadata access at boot (one pooled connection, once); unmapped columns (the embedding, the
   * jsonb params and headers, the image bytes) are not checked, since only the JDBC paths use them.
   */
  private static EntityManagerFactory entityManagerFactory(DataSource ds, DatabaseConfig config) {
    try {
      return new HibernatePersistenceConfiguration("deja")
          .managedClasses(CacheEntryEntity.class, ImageBlobEntity.class)
          .property("hibernate.connection.datasource", ds)
          .property("hibernate.default_schema", config.schema())
          .property("hibernate.boot.allow_jdbc_metadata_access", "true")
          .property("hibernate.hbm2ddl.auto", "validate")
          .createEntityManagerFactory();
    } catch (RuntimeException e) {
      SchemaManagementException drift = schemaDrift(e);
      if (drift == null) {
        throw e;
      }
      throw new SchemaMismatchException("Schema '" + config.schema() + "' does not match the"
          + " entities Deja maps onto it: " + drift.getMessage() + ". The schema is Flyway's"
          + " (db/migration); a migration and an entity in dev.deja.db.internal disagree.");
    }
  }

  private static SchemaManagementException schemaDrift(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SchemaManagementException s) {
        return s;
      }
    }
    return null;
  }
}
