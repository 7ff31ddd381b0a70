package dev.deja.db;

import static dev.deja.db.Fixtures.entry;
import static dev.deja.db.Fixtures.key;
import static dev.deja.db.testing.TestVectors.unitVector;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A real PostgreSQL that is shut down under a live pool: a second {@code db/local-pg.sh} cluster
 * on its own port where the script can run, else a second Testcontainers database.
 */
class RealClusterStopTest {

  private static final Path SCRIPT = locateScript();
  private static final long FAST_MS = 1000;

  @Test
  void lookups_afterRealClusterStops_failFast_andRecoverWhenItIsBack() throws Exception {
    if (SCRIPT != null && Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/postgres"))) {
      withLocalCluster();
    } else if (DockerClientFactory.instance().isDockerAvailable()) {
      withContainer();
    } else {
      throw new IllegalStateException("Neither db/local-pg.sh with PostgreSQL 15 binaries nor a"
          + " Docker engine is available to start a second, stoppable database");
    }
  }

  private void withLocalCluster() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String data = System.getProperty("java.io.tmpdir") + "/deja-pg-stoptest-" + port;
    try {
      String settings = script("start", port, data);
      String url = settings.lines().filter(l -> l.startsWith("DEJA_DB_URL="))
          .findFirst().orElseThrow().substring("DEJA_DB_URL=".length());
      DatabaseConfig config = DatabaseConfig.builder().url(url).user("postgres")
          .embeddingDimension(TestDatabase.DEFAULT_DIMENSION).build();
      try (DejaDatabase db = DejaDatabase.open(config)) {
        CacheStore repo = db.repository();
        float[] v = unitVector(new Random(8), TestDatabase.DEFAULT_DIMENSION);
        repo.store(entry(key("real-stop"), "p", "rs", v, null), new byte[] {1}, false);
        assertTrue(repo.findExact(key("real-stop")).isPresent());

        script("stop", port, data);
        assertFailsFast(repo, v);

        script("start", port, data);
        assertTrue(eventually(() -> repo.findExact(key("real-stop")).isPresent()),
            "the pool reconnects once the database is back");
      }
    } finally {
      script("stop", port, data);
      deleteRecursively(Path.of(data));
    }
  }

  private void withContainer() {
    try (PostgreSQLContainer pg = new PostgreSQLContainer(
        DockerImageName.parse(TestDatabase.IMAGE).asCompatibleSubstituteFor("postgres"))) {
      pg.start();
      DatabaseConfig config = DatabaseConfig.builder().url(pg.getJdbcUrl())
          .user(pg.getUsername()).password(pg.getPassword())
          .embeddingDimension(TestDatabase.DEFAULT_DIMENSION).build();
      try (DejaDatabase db = DejaDatabase.open(config)) {
        CacheStore repo = db.repository();
        float[] v = unitVector(new Random(8), TestDatabase.DEFAULT_DIMENSION);
        repo.store(entry(key("real-stop"), "p", "rs", v, null), new byte[] {1}, false);
        pg.stop();
        assertFailsFast(repo, v);
      }
    }
  }

  private static void assertFailsFast(CacheStore repo, float[] v) {
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      assertThrows(CacheUnavailableException.class, () -> repo.findExact(key("real-stop")));
      assertThrows(CacheUnavailableException.class,
          () -> repo.findNearest("rs", Fixtures.MODEL, Fixtures.EMBEDDER, v, 1));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < 2 * FAST_MS, "two lookups took " + ms + " ms; each must be < 1 s");
    }
  }

  private static boolean eventually(java.util.function.BooleanSupplier check)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (check.getAsBoolean()) {
          return true;
        }
      } catch (CacheUnavailableException notYet) {
        // still reconnecting
      }
      Thread.sleep(200);
    }
    return false;
  }

  private static String script(String command, int port, String data) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), command);
    pb.environment().put("DEJA_PG_PORT", Integer.toString(port));
    pb.environment().put("DEJA_PG_DATA", data);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("local-pg.sh " + command + " failed: " + out);
    }
    return out;
  }

  private static Path locateScript() {
    for (String candidate : new String[] {"local-pg.sh", "db/local-pg.sh", "../db/local-pg.sh"}) {
      Path p = Path.of(candidate).toAbsolutePath().normalize();
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
