package dev.deja.server.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Deja gateway as its own operating-system process: {@code java -cp <this JVM's class path>
 * dev.deja.server.Main ...}, on a free loopback port, its output in a log file.
 */
final class GatewayProcess implements AutoCloseable {

  static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final String name;
  private final int port;
  private final Process process;
  private final Path log;

  private GatewayProcess(String name, int port, Process process, Path log) {
    this.name = name;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /** Starts a gateway; {@code args} are its flags after host and port. Does not wait for it. */
  static GatewayProcess start(String name, Path logDir, List<String> args) throws IOException {
    int port = PgCluster.freePort();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // Small and quick to start: three of these share two cores with the test.
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
        "-cp", System.getProperty("java.class.path"),
        "dev.deja.server.Main", "--host", "127.0.0.1", "--port", Integer.toString(port)));
    command.addAll(args);
    Path log = logDir.resolve("gateway-" + name + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    return new GatewayProcess(name, port, process, log);
  }

  String name() {
    return name;
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  /** Waits until the gateway answers {@code health} (it serves, ready or not). */
  GatewayProcess awaitServing(Duration timeout) throws InterruptedException {
    awaitStatus("/_deja/health", timeout);
    return this;
  }

  /** Waits until {@code health/ready} says UP: its database is open. */
  GatewayProcess awaitReady(Duration timeout) throws InterruptedException {
    awaitStatus("/_deja/health/ready", timeout);
    return this;
  }

  /** The HTTP status of {@code health/ready}, or -1 when the gateway does not answer. */
  int readiness() {
    try {
      return get("/_deja/health/ready").statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private void awaitStatus(String path, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("gateway " + name + " exited with "
            + process.exitValue() + ":\n" + logTail());
      }
      try {
        if (get(path).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("gateway " + name + " not answering 200 on " + path + " after "
        + timeout + ":\n" + logTail());
  }

  HttpResponse<byte[]> get(String pathAndQuery) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30))
        .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** {@code DELETE} on the admin API, with the admin token as a Bearer header. */
  HttpResponse<String> delete(String path, String token)
      throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token).DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The sum of every series of a counter in the gateway's Prometheus scrape. */
  double counter(String name) throws IOException, InterruptedException {
    String scrape = new String(get("/_deja/metrics").body(), StandardCharsets.UTF_8);
    double sum = 0;
    for (String line : scrape.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** An image path of the gateway's default route. */
  static String imagePath(String prompt) {
    return "/prompt/" + URLEncoder.encode(prompt, StandardCharsets.UTF_8).replace("+", "%20")
        + "?seed=7&width=64&height=64";
  }

  @Override
  public void close() {
    process.destroy(); // SIGTERM: the gateway drains and stops
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
