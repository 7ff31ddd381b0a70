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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
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

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any filter setting: cache keys (e.g. hotCacheBytes, defaultTtl, semantic), embedding.*, db.* (repeatable)")
  Map<String, String> sets = new LinkedHashMap<>();

  @Option(names = "--config", paramLabel = "FILE",
      description = "Properties file with server settings (port, origin, db-url, ...) and filter settings")
  Path config;

  @Option(names = "--migrate-images", paramLabel = "TARGET",
      description = "Move the stored images to s3 (the --image-store bucket) or back to postgres,"
          + " then exit; safe while gateways serve, resumable")
  String migrateImages;

  /** The command's model, where the {@link Setting} options live; set by {@link #commandLine}. */
  private CommandSpec spec;

  /** Flags as {@link Setting} keys; unset flags are absent. */
  Map<String, String> flags() {
    Map<String, String> f = new LinkedHashMap<>();
    for (Setting s : Setting.values()) {
      String value = spec.findOption(s.flag()).getValue();
      if (value != null) {
        f.put(s.key, value);
      }
    }
    return f;
  }

  /**
   * One option per {@link Setting}, built from its declaration rather than an annotated field per
   * flag, so a new server setting is one enum constant. Added first, so {@code --help} lists them
   * in declaration order before {@code --set} and {@code --config}.
   */
  private static CommandSpec withSettings(CommandSpec annotated) {
    CommandSpec spec = CommandSpec.wrapWithoutInspection(annotated.userObject());
    spec.name(annotated.name()).version(annotated.version());
    spec.usageMessage(annotated.usageMessage());
    spec.parser(annotated.parser());
    for (Setting s : Setting.values()) {
      OptionSpec.Builder option =
          OptionSpec.builder(s.flag()).type(String.class).paramLabel(s.paramLabel)
              .description(s.help());
      if (s.isSwitch()) {
        option.arity("0..1").fallbackValue("true");
      }
      spec.addOption(option.build());
    }
    for (OptionSpec o : annotated.options()) {
      spec.addOption(o);
    }
    return spec;
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
  static CommandLine commandLine(Main main) {
    CommandSpec spec = withSettings(CommandSpec.forAnnotatedObject(main));
    main.spec = spec;
    return new CommandLine(spec).setOverwrittenOptionsAllowed(true);
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
    Main main = (Main) cli.getCommand();
    DejaServer server;
    try {
      ServerConfig config = main.resolve(System.getenv());
      if (main.migrateImages != null) {
        System.exit(ImageMigrationCommand.run(config, main.migrateImages, System.out));
        return;
      }
      server = DejaServer.start(config);
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
