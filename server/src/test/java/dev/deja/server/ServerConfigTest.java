package dev.deja.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Startup validation: every problem is one line that names the setting and the rule. */
class ServerConfigTest {

  private static ServerConfig.ConfigException rejected(Map<String, String> env, String... args) {
    ServerConfig.ConfigException e =
        assertThrows(ServerConfig.ConfigException.class, () -> Main.configure(args, env));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e;
  }

  @Test
  void defaults_matchTheDocumentedConstants() {
    ServerConfig c = Main.configure(new String[0], Map.of());
    assertEquals(8080, c.port());
    assertEquals("https://image.pollinations.ai", c.origin().toString());
    assertEquals("/_deja", c.adminPrefix());
    assertEquals(Duration.ofSeconds(120), c.originTimeout());
    assertEquals(Duration.ofSeconds(60), c.evictionInterval());
    assertNull(c.adminToken());
    assertNull(c.maxCacheBytes());
    assertEquals("balanced", c.filterSettings().get("preset"));
    assertEquals(1500, c.demoDelayMillis());
  }

  @Test
  void precedence_isFlagsThenEnvThenFileThenDefaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("deja.properties");
    Files.writeString(file, "port=7001\norigin=http://file.example\nadmin-prefix=/file\n"
        + "hotCacheBytes=1024\n");
    Map<String, String> env = Map.of("DEJA_PORT", "7002", "DEJA_ORIGIN", "http://env.example");
    ServerConfig c = Main.configure(new String[] {"--config", file.toString(), "--port", "7003"}, env);
    assertEquals(7003, c.port());
    assertEquals("http://env.example", c.origin().toString());
    assertEquals("/file", c.adminPrefix());
    assertEquals("1024", c.filterSettings().get("hotCacheBytes"));
  }

  @Test
  void setFlag_passesFilterSettingsThrough() {
    ServerConfig c =
        Main.configure(new String[] {"--set", "embedding.maxTokens=64", "--set", "defaultTtl=1h",
            "--threshold", "0.93", "--max-cache-bytes", "2GB"}, Map.of());
    // Either key style is accepted; the settings carry the documented spelling.
    assertEquals("64", c.filterSettings().get("embedding.max-tokens"));
    assertEquals("1h", c.filterSettings().get("defaultTtl"));
    assertEquals("0.93", c.filterSettings().get("threshold"));
    assertEquals(2L << 30, c.maxCacheBytes());
  }

  @Test
  void badOriginUrl_isOneLine() {
    assertTrue(rejected(Map.of(), "--origin", "ftp://example.com").getMessage()
        .startsWith("invalid Deja setting origin='ftp://example.com'"));
    assertTrue(rejected(Map.of(), "--origin", "not a url").getMessage()
        .startsWith("invalid Deja setting origin="));
    assertTrue(rejected(Map.of("DEJA_ORIGIN", "http://x/?q=1")).getMessage()
        .contains("query"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "--port, 70000, 'invalid Deja setting port=''70000'': must be an integer in [0, 65535]'",
    "--origin-timeout, soon, 'invalid Deja setting origin-timeout=''soon'': must be a duration'",
    "--origin-timeout, 30, 'invalid Deja setting origin-timeout=''30'': must be a duration'",
    "--shutdown-timeout, 0, 'invalid Deja setting shutdown-timeout=''0'': must be more than 0'",
    "--admin-token, short, 'invalid Deja setting admin-token=''****'': must be at least 16'",
    "--admin-prefix, /_deja/, 'invalid Deja setting admin-prefix=''/_deja/'': must look like'",
    "--db-url, postgres://x, 'invalid Deja setting db-url=''postgres://x'': must start with'",
    "--public-explain, yes, 'invalid Deja setting public-explain=''yes'': must be true or false'",
    "--max-cache-bytes, lots, 'invalid Deja setting max-cache-bytes=''lots'': must be a size'",
    "--max-connections, 0, 'invalid Deja setting max-connections=''0'': must be an integer in'"
  })
  void badValues_nameTheSettingTheValueAndTheAcceptedForm(String flag, String value,
      String message) {
    String got = rejected(Map.of(), flag, value).getMessage();
    assertTrue(got.startsWith(message), got);
  }

  @ParameterizedTest(name = "admin {0} with paths {1}")
  @CsvSource({
    "/prompt, ''",
    "/prompt/admin, ''",
    "/img, paths=/img/*",
    "/api, paths=/api/v1/img/*",
    "/api/v1/img/admin, 'paths=/prompt/*,/api/v1/img/*'",
  })
  void adminPrefix_overlappingACachedRoute_isRefused(String prefix, String paths) {
    String[] args = paths.isEmpty()
        ? new String[] {"--admin-prefix", prefix}
        : new String[] {"--admin-prefix", prefix, "--set", paths};
    assertTrue(rejected(Map.of(), args).getMessage().contains("overlaps the cached path"));
  }

  @Test
  void adminPrefix_followsTheConfiguredPaths() {
    ServerConfig c =
        Main.configure(new String[] {"--admin-prefix", "/prompt", "--set", "paths=/img/*"},
            Map.of());
    assertEquals("/prompt", c.adminPrefix());
    assertEquals("/promptly", Main.configure(
        new String[] {"--admin-prefix", "/promptly"}, Map.of()).adminPrefix());
  }

  /** The enum is the server's settings table: its defaults are what an empty command line gets. */
  @Test
  void everyDeclaredDefault_isWhatResolvingGivesAndWithinItsBounds() {
    ServerConfig defaults = Main.configure(new String[0], Map.of());
    for (ServerConfig.Setting s : ServerConfig.Setting.values()) {
      if (s.defaultValue != null && !s.defaultValue.isEmpty()) {
        assertEquals(defaults, Main.configure(new String[] {s.flag(), s.defaultValue}, Map.of()),
            s.key);
      }
    }
  }

  @Test
  void everyDeclaredBound_isEnforced() {
    for (ServerConfig.Setting s : ServerConfig.Setting.values()) {
      if (s.range == null) {
        continue;
      }
      Object below = s.range.minExcluded() ? s.range.min() : step(s.range.min(), -1);
      assertTrue(rejected(Map.of(), s.flag(), text(below)).getMessage()
          .endsWith(s.range.rule()), s.key);
      if (s.range.max() != null) {
        assertTrue(rejected(Map.of(), s.flag(), text(step(s.range.max(), 1))).getMessage()
            .endsWith(s.range.rule()), s.key);
      }
    }
  }

  private static Object step(Object bound, int direction) {
    if (bound instanceof Integer i) {
      return i + direction;
    }
    return (Long) bound + direction;
  }

  /** A bound as a flag's text: durations in the duration grammar. */
  private static String text(Object value) {
    return value instanceof Duration d ? d.toMillis() + "ms" : String.valueOf(value);
  }

  @Test
  void unknownFlag_isNamed() {
    assertTrue(rejected(Map.of(), "--no-such-flag").getMessage().contains("--no-such-flag"));
  }

  @Test
  void everyDeclaredSettingIsAFlag() {
    for (ServerConfig.Setting s : ServerConfig.Setting.values()) {
      Main main = new Main();
      Main.commandLine(main).parseArgs(s.flag(), "value-of-" + s.key);
      assertEquals(Map.of(s.key, "value-of-" + s.key), main.flags(), s.flag());
    }
  }

  @Test
  void serverMdShowsTheCurrentHelp() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "SERVER.md"));
    String help = Main.commandLine(new Main()).getUsageMessage();
    assertTrue(doc.contains(help), "docs/SERVER.md's --help block is out of date; it is now:\n"
        + help);
  }

  @Test
  void environmentVariablesKeepTheirNames() {
    List<String> names = Arrays.stream(ServerConfig.Setting.values()).map(s -> s.env).toList();
    assertEquals(List.of("DEJA_PORT", "DEJA_HOST", "DEJA_ORIGIN", "DEJA_DEMO_ORIGIN",
        "DEJA_DEMO_DELAY_MS", "DEJA_ORIGIN_TIMEOUT", "DEJA_CONNECT_TIMEOUT", "DEJA_IDLE_TIMEOUT",
        "DEJA_MAX_CONNECTIONS", "DEJA_DB_URL", "DEJA_DB_READ_URL", "DEJA_DB_USER", "DEJA_DB_PASSWORD",
        "DEJA_DB_SCHEMA", "DEJA_IMAGE_STORE", "DEJA_S3_ENDPOINT", "DEJA_S3_REGION", "DEJA_PRESET", "DEJA_THRESHOLD", "DEJA_ADMIN_TOKEN",
        "DEJA_ADMIN_PREFIX", "DEJA_PUBLIC_EXPLAIN", "DEJA_PASS_THROUGH_OTHER_PATHS",
        "DEJA_EVICTION_INTERVAL", "DEJA_MAX_CACHE_BYTES", "DEJA_SHUTDOWN_TIMEOUT"), names);
  }

  @Test
  void flagsEnvironmentAndFileReadEverySettingAlike(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("deja.properties");
    Files.writeString(file, "idleTimeout=2m\nmax-cache-bytes=512MB\n");
    ServerConfig c = Main.configure(
        new String[] {"--config", file.toString(), "--connect-timeout", "PT3S",
            "--demo-origin"},
        Map.of("DEJA_EVICTION_INTERVAL", "1h"));
    assertEquals(Duration.ofMinutes(2), c.idleTimeout());
    assertEquals(512L << 20, c.maxCacheBytes());
    assertEquals(Duration.ofSeconds(3), c.connectTimeout());
    assertEquals(Duration.ofHours(1), c.evictionInterval());
    assertTrue(c.demoOrigin());
  }

  @Test
  void aSetOverridesTheFileWhicheverKeyStyleEachUses(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("deja.properties");
    Files.writeString(file, "hot-cache-bytes=1MB\n");
    ServerConfig c = Main.configure(
        new String[] {"--config", file.toString(), "--set", "hotCacheBytes=2MB"}, Map.of());
    assertEquals("2MB", c.filterSettings().get("hotCacheBytes"));
    assertFalse(c.filterSettings().containsKey("hot-cache-bytes"));
  }

  @Test
  void portInUse_isOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      ServerConfig c = Main.configure(
          new String[] {"--host", "127.0.0.1", "--port", Integer.toString(taken.getLocalPort())},
          Map.of());
      ServerConfig.ConfigException e =
          assertThrows(ServerConfig.ConfigException.class, () -> DejaServer.checkPortFree(c));
      assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:"), e.getMessage());
    }
  }

  @Test
  void unknownFilterSetting_isOneLine() {
    ServerConfig c = Main.configure(new String[] {"--port", "0", "--set", "bogus=1"}, Map.of());
    ServerConfig.ConfigException e =
        assertThrows(ServerConfig.ConfigException.class, () -> DejaServer.start(c));
    assertTrue(e.getMessage().contains("bogus"), e.getMessage());
  }

  @Test
  void passwordInUrl_isMaskedInLogs() {
    assertEquals("jdbc:postgresql://h/d?user=u&password=****&ssl=true",
        DejaServer.maskUrl("jdbc:postgresql://h/d?user=u&password=secret&ssl=true"));
  }
}
