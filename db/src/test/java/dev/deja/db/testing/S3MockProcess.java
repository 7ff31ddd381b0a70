package dev.deja.db.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Adobe S3Mock (a Spring Boot jar) as a process of its own on a free loopback port, storing its
 * objects in a temporary directory: the real S3 API the tests ({@link S3TestServer}) and the
 * image-storage benchmark talk to. Never on a class path, so its Spring and Tomcat cannot clash
 * with Deja's dependencies. Closing stops it and deletes its files.
 */
public final class S3MockProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path root;

  private S3MockProcess(Process process, int port, Path root) {
    this.process = process;
    this.port = port;
    this.root = root;
  }

  /**
   * Starts S3Mock from {@code jar} and waits until it answers (at most 90 s).
   *
   * @param jvmOptions options for its JVM, e.g. {@code -Xmx384m}
   */
  public static S3MockProcess start(Path jar, List<String> jvmOptions) {
    if (jar == null || !Files.isRegularFile(jar)) {
      throw new IllegalStateException("S3Mock jar not found at " + jar + " (the build copies it"
          + " to target/s3mock/s3mock.jar in process-test-classes)");
    }
    int port = freePort();
    try {
      Path root = Files.createTempDirectory("deja-s3mock");
      Path log = root.resolve("s3mock.log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      command.addAll(List.of("-jar", jar.toString(),
          "--com.adobe.testing.s3mock.http-port=" + port,
          "--server.port=0",
          "--com.adobe.testing.s3mock.store.root=" + root.resolve("store"),
          "--spring.main.banner-mode=off"));
      Process p = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      S3MockProcess mock = new S3MockProcess(p, port, root);
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "s3mock-stop"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException("S3Mock exited with " + p.exitValue() + ": "
              + Files.readString(log));
        }
        if (answers(port)) {
          return mock;
        }
        Thread.sleep(200);
      }
      p.destroy();
      throw new IllegalStateException("S3Mock did not answer within 90 s: " + Files.readString(log));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private static boolean answers(int port) {
    try {
      HttpURLConnection c =
          (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      try {
        return c.getResponseCode() == 200;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
