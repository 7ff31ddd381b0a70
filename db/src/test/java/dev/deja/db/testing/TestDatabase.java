package dev.deja.db.testing;

import dev.deja.db.DatabaseConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The PostgreSQL + pgvector every module's tests run against, and an isolated schema per test
 * class.
 *
 * <p>Selection: {@code DEJA_DB_URL} (+ {@code DEJA_DB_USER}, {@code DEJA_DB_PASSWORD}) when set;
 * otherwise a Testcontainers {@code pgvector/pgvector:pg17} when a Docker engine is reachable;
 * otherwise the tests fail (never skip) and say how to start a local database:
 *
 * <pre>{@code
 * eval "$(db/local-pg.sh start)" && export DEJA_DB_URL DEJA_DB_USER DEJA_DB_PASSWORD
 * }</pre>
 *
 * <pre>{@code
 * static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(MyTest.class);
 * @AfterAll static void dropSchema() { SCHEMA.drop(); }
 * ... DejaDatabase.open(SCHEMA.config());
 * }</pre>
 */
public final class TestDatabase {

  /** Embedding dimension of the real model (bge-small-en-v1.5). */
  public static final int DEFAULT_DIMENSION = 384;
  public static final String IMAGE = "pgvector/pgvector:pg17";

  private static Settings settings;

  private TestDatabase() {}

  /** Where the test database is; resolved once per JVM. */
  public static synchronized Settings settings() {
    if (settings == null) {
      settings = resolve();
    }
    return settings;
  }

  /** A fresh, uniquely named schema for {@code testClass}; nothing is created until used. */
  public static Schema isolatedSchema(Class<?> testClass) {
    String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (base.length() > 40) {
      base = base.substring(0, 40);
    }
    String suffix = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    return new Schema("t_" + base + "_" + suffix, settings());
  }

  /** Opens a plain JDBC connection to the test database (autocommit on). */
  public static Connection connect() throws SQLException {
    Settings s = settings();
    Properties p = new Properties();
    p.setProperty("user", s.user());
    p.setProperty("password", s.password());
    p.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(s.url(), p);
  }

  private static Settings resolve() {
    String url = System.getenv("DEJA_DB_URL");
    if (url != null && !url.isBlank()) {
      String user = System.getenv().getOrDefault("DEJA_DB_USER", "postgres");
      String password = System.getenv().getOrDefault("DEJA_DB_PASSWORD", "");
      return new Settings(url, user, password, "DEJA_DB_URL");
    }
    boolean docker;
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError | java.util.ServiceConfigurationError e) {
      // No usable Docker client configuration is the same as no Docker: fall through to the
      // message that names db/local-pg.sh.
      docker = false;
    }
    if (docker) {
      PostgreSQLContainer pg = new PostgreSQLContainer(
          DockerImageName.parse(IMAGE).asCompatibleSubstituteFor("postgres"))
          .withDatabaseName("deja")
          .withCommand("postgres", "-c", "max_connections=200", "-c", "fsync=off");
      pg.start();
      // Testcontainers' Ryuk removes the container when this JVM exits.
      return new Settings(pg.getJdbcUrl(), pg.getUsername(), pg.getPassword(),
          "Testcontainers " + IMAGE);
    }
    throw new IllegalStateException("No test database: DEJA_DB_URL is not set and no Docker"
        + " engine is reachable. Start the project's own PostgreSQL + pgvector with\n"
        + "  eval \"$(db/local-pg.sh start)\" && export DEJA_DB_URL DEJA_DB_USER DEJA_DB_PASSWORD\n"
        + "and run the tests again (from the repository root).");
  }

  /**
   * Resolved connection settings.
   *
   * @param source where they came from, for failure messages
   */
  public record Settings(String url, String user, String password, String source) {}

  /** A schema owned by one test class. */
  public static final class Schema implements AutoCloseable {
    private final String name;
    private final Settings settings;

    private Schema(String name, Settings settings) {
      this.name = name;
      this.settings = settings;
    }

    public String name() {
      return name;
    }

    /** Configuration for this schema with the real model's dimension. */
    public DatabaseConfig config() {
      return config(DEFAULT_DIMENSION);
    }

    /** Configuration for this schema with another embedding dimension. */
    public DatabaseConfig config(int embeddingDimension) {
      return builder().embeddingDimension(embeddingDimension).build();
    }

    /** A builder preset with URL, user, password and this schema, to adjust further. */
    public DatabaseConfig.Builder builder() {
      return DatabaseConfig.builder()
          .url(settings.url())
          .user(settings.user())
          .password(settings.password())
          .schema(name)
          .maxPoolSize(8);
    }

    /** The number {@code query} (e.g. a {@code count(*)}) returns, run inside this schema. */
    public long queryLong(String query) throws SQLException {
      try (Connection c = connect(); Statement s = c.createStatement()) {
        s.execute("SET search_path = " + name);
        try (java.sql.ResultSet rs = s.executeQuery(query)) {
          rs.next();
          return rs.getLong(1);
        }
      }
    }

    /** Drops the schema and everything in it. */
    public void drop() {
      try (Connection c = connect(); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
      } catch (SQLException e) {
        throw new IllegalStateException("could not drop test schema " + name, e);
      }
    }

    @Override
    public void close() {
      drop();
    }

    @Override
    public String toString() {
      return name + " @ " + settings.url() + " (" + settings.source() + ")";
    }
  }
}
