package dev.deja.server.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL 15 primary and one streaming replica ({@code pg_basebackup -R}) made with
 * the local binaries, on free loopback ports, in a temporary directory that {@link #close()}
 * removes. PostgreSQL refuses to run as root, so as root every command runs as the {@code
 * postgres} OS user (as {@code db/local-pg.sh} does).
 */
final class PgCluster implements AutoCloseable {

  static final Path BIN = Path.of(System.getenv().getOrDefault("DEJA_PG_BIN",
      "/usr/lib/postgresql/15/bin"));
  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  private final Path base;
  private final Node primary;
  private final Node replica;

  /** One server of the pair: its data directory and port. */
  record Node(String name, Path data, int port) {
    String jdbcUrl() {
      return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }
  }

  private PgCluster(Path base, Node primary, Node replica) {
    this.base = base;
    this.primary = primary;
    this.replica = replica;
  }

  /** Creates and starts the primary, then clones it into a streaming replica and starts that. */
  static PgCluster start() throws IOException, InterruptedException {
    if (!Files.isExecutable(BIN.resolve("postgres"))) {
      throw new IllegalStateException("PostgreSQL binaries not found in " + BIN
          + " (set DEJA_PG_BIN); the cluster tests need initdb, pg_ctl and pg_basebackup");
    }
    Path base = Files.createTempDirectory("deja-cluster-");
    PgCluster cluster = new PgCluster(base, new Node("primary", base.resolve("primary"),
        freePort()), new Node("replica", base.resolve("replica"), freePort()));
    try {
      cluster.init();
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void init() throws IOException, InterruptedException {
    if (ROOT) {
      run("chown", "postgres:", base.toString());
    }
    asPg(BIN.resolve("initdb").toString(), "-D", primary.data().toString(), "-U", "postgres",
        "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=trust");
    Files.writeString(primary.data().resolve("pg_hba.conf"), """
        local all         all                trust
        host  all         all  127.0.0.1/32  trust
        host  replication all  127.0.0.1/32  trust
        """);
    appendConf(primary, """
        listen_addresses = '127.0.0.1'
        max_connections = 100
        shared_buffers = 32MB
        wal_level = replica
        max_wal_senders = 4
        hot_standby = on
        hot_standby_feedback = on
        # Test cluster: durability off for speed (it lives for one test class).
        fsync = off
        synchronous_commit = off
        full_page_writes = off
        max_parallel_maintenance_workers = 0
        """);
    start(primary);
    asPg(BIN.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p",
        Integer.toString(primary.port()), "-U", "postgres", "-D", replica.data().toString(),
        "-R", "-X", "stream", "-c", "fast");
    start(replica);
  }

  Node primary() {
    return primary;
  }

  Node replica() {
    return replica;
  }

  /** Starts a stopped node (its port and socket directory are its own). */
  void start(Node node) throws IOException, InterruptedException {
    appendConf(node, "port = " + node.port() + "\nunix_socket_directories = '" + node.data()
        + "'\n");
    asPg(BIN.resolve("pg_ctl").toString(), "-D", node.data().toString(), "-l",
        node.data().resolve("server.log").toString(), "-w", "-t", "60", "start");
  }

  /** A fast shutdown: sessions are ended, as in a planned restart. */
  void stop(Node node) throws IOException, InterruptedException {
    asPg(BIN.resolve("pg_ctl").toString(), "-D", node.data().toString(), "-m", "fast", "-w",
        "stop");
  }

  /**
   * Delays the replica's replay of every commit by {@code millis} ({@code
   * recovery_min_apply_delay}): it then lags the primary by that much. 0 removes the delay.
   */
  void replayDelay(long millis) throws IOException, InterruptedException {
    appendConf(replica, "recovery_min_apply_delay = '" + millis + "ms'\n");
    asPg(BIN.resolve("pg_ctl").toString(), "-D", replica.data().toString(), "reload");
  }

  private static void appendConf(Node node, String lines) throws IOException {
    Files.writeString(node.data().resolve("postgresql.conf"), "\n" + lines,
        StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  @Override
  public void close() {
    for (Node node : List.of(replica, primary)) {
      if (Files.exists(node.data().resolve("postmaster.pid"))) {
        try {
          asPg(BIN.resolve("pg_ctl").toString(), "-D", node.data().toString(), "-m",
              "immediate", "-w", "stop");
        } catch (IOException | InterruptedException | RuntimeException e) {
          System.err.println("PgCluster: could not stop " + node.name() + ": " + e);
        }
      }
    }
    try (Stream<Path> files = Files.walk(base)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("PgCluster: could not delete " + base + ": " + e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void asPg(String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (ROOT) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    run(full.toArray(String[]::new));
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " failed:\n"
          + new String(out, StandardCharsets.UTF_8));
    }
  }
}
