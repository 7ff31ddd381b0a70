package dev.deja.server;

import static dev.deja.server.ServerConfig.Setting;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar deja-server.jar}: the Deja semantic cache as a standalone gateway in front of a
 * text-to-image API.
 *
 * <p>Settings come from flags, then {@code DEJA_*} environment variables, then the {@code --config}
 * properties file, then the defaults in {@link ServerConfig}. Any problem found at startup is one
 * line on stderr, {@code deja: error: ...}, and exit status 2.
 */
@Command(
    name = "deja-server",
    mixinStandardHelpOptions = true,
    version = "deja-server 0.1.0",
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Semantic cache gateway for text-to-image APIs: exact cache -> semantic cache -> origin.",
      "Precedence: flags > environment (DEJA_*) > --config file > defaults."
    })
public final class Main {

  @Option(names = "--port", paramLabel = "PORT",
      description = "HTTP port; 0 picks a free one (env DEJA_PORT, default " + ServerConfig.DEFAULT_PORT + ")")
  String port;

  @Option(names = "--host", paramLabel = "ADDR",
      description = "Address to listen on (env DEJA_HOST, default " + ServerConfig.DEFAULT_HOST + ")")
  String host;

  @Option(names = "--origin", paramLabel = "URL",
      description = "Image API to forward misses to (env DEJA_ORIGIN, default " + ServerConfig.DEFAULT_ORIGIN + ")")
  String origin;

  @Option(names = "--demo-origin", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Serve misses from the built-in offline origin instead of --origin (env DEJA_DEMO_ORIGIN, default false)")
  String demoOrigin;

  @Option(names = "--demo-delay-ms", paramLabel = "MS",
      description = "Generation delay of the demo origin (env DEJA_DEMO_DELAY_MS, default " + ServerConfig.DEFAULT_DEMO_DELAY_MS + ")")
  String demoDelayMs;

  @Option(names = "--origin-timeout", paramLabel = "DURATION",
      description = "Total time an origin request may take (env DEJA_ORIGIN_TIMEOUT, default " + ServerConfig.DEFAULT_ORIGIN_TIMEOUT + ")")
  String originTimeout;

  @Option(names = "--connect-timeout", paramLabel = "DURATION",
      description = "Origin connect timeout (env DEJA_CONNECT_TIMEOUT, default " + ServerConfig.DEFAULT_CONNECT_TIMEOUT + ")")
  String connectTimeout;

  @Option(names = "--idle-timeout", paramLabel = "DURATION",
      description = "Origin connection idle timeout (env DEJA_IDLE_TIMEOUT, default " + ServerConfig.DEFAULT_IDLE_TIMEOUT + ")")
  String idleTimeout;

  @Option(names = "--max-connections", paramLabel = "N",
      description = "Pooled connections to the origin (env DEJA_MAX_CONNECTIONS, default " + ServerConfig.DEFAULT_MAX_CONNECTIONS + ")")
  String maxConnections;

  @Option(names = "--db-url", paramLabel = "JDBC_URL",
      description = "PostgreSQL with pgvector (env DEJA_DB_URL, default " + ServerConfig.DEFAULT_DB_URL + ")")
  String dbUrl;

  @Option(names = "--db-user", paramLabel = "USER",
      description = "Database user (env DEJA_DB_USER, default " + ServerConfig.DEFAULT_DB_USER + ")")
  String dbUser;

  @Option(names = "--db-password", paramLabel = "PASSWORD",
      description = "Database password (env DEJA_DB_PASSWORD, default empty)")
  String dbPassword;

  @Option(names = "--db-schema", paramLabel = "SCHEMA",
      description = "Database schema, created and migrated at startup (env DEJA_DB_SCHEMA, default " + ServerConfig.DEFAULT_DB_SCHEMA + ")")
  String dbSchema;

  @Option(names = "--preset", paramLabel = "NAME",
      description = "Semantic match preset: strict, balanced, aggressive (env DEJA_PRESET, default " + ServerConfig.DEFAULT_PRESET + ")")
  String preset;

  @Option(names = "--threshold", paramLabel = "SIMILARITY",
      description = "Override the preset's similarity threshold, in (0, 1] (env DEJA_THRESHOLD, default: the preset's)")
  String threshold;

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      description = "Bearer token for the admin API's mutating endpoints, >= 16 chars; none turns them off (env DEJA_ADMIN_TOKEN)")
  String adminToken;

  @Option(names = "--admin-prefix", paramLabel = "PATH",
      description = "Path of the admin API (env DEJA_ADMIN_PREFIX, default " + ServerConfig.DEFAULT_ADMIN_PREFIX + ")")
  String adminPrefix;

  @Option(names = "--public-explain", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Serve explain and stats without the token (env DEJA_PUBLIC_EXPLAIN, default false)")
  String publicExplain;

  @Option(names = "--pass-through-other-paths", arity = "0..1", fallbackValue = "true",
      paramLabel = "BOOL",
      description = "Proxy paths outside the cached routes to the origin uncached; false answers"
          + " them 404 (env DEJA_PASS_THROUGH_OTHER_PATHS, default true)")
  String passThroughOtherPaths;

  @Option(names = "--eviction-interval", paramLabel = "DURATION",
      description = "How often expired and over-budget entries are deleted (env DEJA_EVICTION_INTERVAL, default " + ServerConfig.DEFAULT_EVICTION_INTERVAL + ")")
  String evictionInterval;

  @Option(names = "--max-cache-bytes", paramLabel = "SIZE",
      description = "Byte budget of stored images, e.g. 10GB; least recently hit entries go first (env DEJA_MAX_CACHE_BYTES, default unbounded)")
  String maxCacheBytes;

  @Option(names = "--shutdown-timeout", paramLabel = "DURATION",
      description = "Time to drain in-flight requests and queued stores on stop (env DEJA_SHUTDOWN_TIMEOUT, default " + ServerConfig.DEFAULT_SHUTDOWN_TIMEOUT + ")")
  String shutdownTimeout;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any filter setting: cache keys (e.g. hotCacheBytes, defaultTtl, semantic), embedding.*, db.* (repeatable)")
  Map<String, String> sets = new LinkedHashMap<>();

  @Option(names = "--config", paramLabel = "FILE",
      description = "Properties file with server settings (port, origin, db-url, ...) and filter settings")
  Path config;

  /** Flags as {@link Setting} keys; unset flags are absent. */
  Map<String, String> flags() {
    Map<String, String> f = new LinkedHashMap<>();
    put(f, Setting.PORT, port);
    put(f, Setting.HOST, host);
    put(f, Setting.ORIGIN, origin);
    put(f, Setting.DEMO_ORIGIN, demoOrigin);
    put(f, Setting.DEMO_DELAY_MS, demoDelayMs);
    put(f, Setting.ORIGIN_TIMEOUT, originTimeout);
    put(f, Setting.CONNECT_TIMEOUT, connectTimeout);
    put(f, Setting.IDLE_TIMEOUT, idleTimeout);
    put(f, Setting.MAX_CONNECTIONS, maxConnections);
    put(f, Setting.DB_URL, dbUrl);
    put(f, Setting.DB_USER, dbUser);
    put(f, Setting.DB_PASSWORD, dbPassword);
    put(f, Setting.DB_SCHEMA, dbSchema);
    put(f, Setting.PRESET, preset);
    put(f, Setting.THRESHOLD, threshold);
    put(f, Setting.ADMIN_TOKEN, adminToken);
    put(f, Setting.ADMIN_PREFIX, adminPrefix);
    put(f, Setting.PUBLIC_EXPLAIN, publicExplain);
    put(f, Setting.PASS_THROUGH_OTHER_PATHS, passThroughOtherPaths);
    put(f, Setting.EVICTION_INTERVAL, evictionInterval);
    put(f, Setting.MAX_CACHE_BYTES, maxCacheBytes);
    put(f, Setting.SHUTDOWN_TIMEOUT, shutdownTimeout);
    return f;
  }

  private static void put(Map<String, String> f, Setting s, String value) {
    if (value != null) {
      f.put(s.key, value);
    }
  }

  /**
   * Parses the arguments and resolves the configuration against {@code env}.
   *
   * @throws ServerConfig.ConfigException for any problem, with a one-line message
   */
  public static ServerConfig configure(String[] args, Map<String, String> env) {
    Main main = new Main();
    try {
      commandLine(main).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new ServerConfig.ConfigException(e.getMessage());
    }
    return main.resolve(env);
  }

  ServerConfig resolve(Map<String, String> env) {
    Properties file = new Properties();
    if (config != null) {
      try (InputStream in = Files.newInputStream(config)) {
        file.load(in);
      } catch (IOException e) {
        throw new ServerConfig.ConfigException("cannot read --config file " + config + ": " + e);
      }
    }
    return ServerConfig.resolve(flags(), sets, env, file);
  }

  /** Parses, validates and starts a server; for tests and embedding. */
  public static DejaServer start(String... args) {
    return DejaServer.start(configure(args, System.getenv()));
  }

  /** A later flag overrides an earlier one, so scripts can append overrides to a base command. */
  private static CommandLine commandLine(Main main) {
    return new CommandLine(main).setOverwrittenOptionsAllowed(true);
  }

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    CommandLine cli = commandLine(new Main());
    PrintWriter out = new PrintWriter(System.out, true);
    try {
      CommandLine.ParseResult parsed = cli.parseArgs(args);
      if (parsed.isUsageHelpRequested()) {
        cli.usage(out);
        return;
      }
      if (parsed.isVersionHelpRequested()) {
        cli.printVersionHelp(out);
        return;
      }
    } catch (CommandLine.ParameterException e) {
      fail(e.getMessage());
      return;
    }
    DejaServer server;
    try {
      server = DejaServer.start(((Main) cli.getCommand()).resolve(System.getenv()));
    } catch (ServerConfig.ConfigException e) {
      fail(e.getMessage());
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.stop();
                  stopped.countDown();
                },
                "deja-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void fail(String message) {
    System.err.println("deja: error: " + message.lines().findFirst().orElse(message));
    System.exit(2);
  }
}
