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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    assertEquals("64", c.filterSettings().get("embedding.maxTokens"));
    assertEquals("1h", c.filterSettings().get("defaultTtl"));
    assertEquals("0.93", c.filterSettings().get("threshold"));
    assertEquals(2L << 30, c.maxCacheBytes());
  }

  @Test
  void badOriginUrl_isOneLine() {
    assertTrue(rejected(Map.of(), "--origin", "ftp://example.com").getMessage()
        .startsWith("invalid origin 'ftp://example.com'"));
    assertTrue(rejected(Map.of(), "--origin", "not a url").getMessage()
        .startsWith("invalid origin"));
    assertTrue(rejected(Map.of("DEJA_ORIGIN", "http://x/?q=1")).getMessage()
        .contains("query"));
  }

  @Test
  void badValues_nameTheSetting() {
    assertTrue(rejected(Map.of(), "--port", "70000").getMessage().startsWith("invalid port"));
    assertTrue(rejected(Map.of(), "--origin-timeout", "soon").getMessage()
        .startsWith("invalid origin-timeout"));
    assertTrue(rejected(Map.of(), "--admin-token", "short").getMessage()
        .startsWith("invalid admin-token"));
    assertTrue(rejected(Map.of(), "--admin-prefix", "/_deja/").getMessage()
        .startsWith("invalid admin-prefix"));
    assertTrue(rejected(Map.of(), "--db-url", "postgres://x").getMessage()
        .startsWith("invalid db-url"));
    assertTrue(rejected(Map.of(), "--no-such-flag").getMessage().contains("--no-such-flag"));
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
