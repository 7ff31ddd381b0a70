package dev.deja.db.testing;

import dev.deja.db.objects.ImageStoreLocation;
import dev.deja.db.objects.S3ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server for the tests: Adobe S3Mock, run as its own process from the jar the build
 * copies to {@code target/s3mock/} (system property {@code deja.s3mock.jar}). Started once per
 * test JVM on a free port and stopped when the JVM exits; each test takes its own bucket. Nothing
 * is skipped when it cannot start: the test fails and says why.
 */
public final class S3TestServer {

  /** S3Mock accepts any credentials; the tests use these. */
  public static final String ACCESS_KEY = "deja-test";
  public static final String SECRET_KEY = "deja-test-secret";

  private static S3TestServer instance;

  private final Process process;
  private final int port;
  private final S3Client admin;

  private S3TestServer(Process process, int port) {
    this.process = process;
    this.port = port;
    this.admin = S3Client.builder()
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials())
        .endpointOverride(endpoint())
        .forcePathStyle(true)
        .build();
  }

  /** The server, started on first use. */
  public static synchronized S3TestServer get() {
    if (instance == null) {
      instance = start();
    }
    return instance;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  public static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  /** A new empty bucket, named after the test class. */
  public String newBucket(Class<?> testClass) {
    String name = (testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "")
        + "-" + UUID.randomUUID().toString().substring(0, 8));
    name = name.length() > 63 ? name.substring(name.length() - 63) : name;
    return createBucket(name.replaceAll("^[^a-z0-9]+", "b"));
  }

  /** Creates {@code bucket}, e.g. one a gateway was started with before it existed. */
  public String createBucket(String bucket) {
    admin.createBucket(r -> r.bucket(bucket));
    return bucket;
  }

  /** An object store on a new bucket under {@code images/}, reached directly. */
  public S3ObjectStore newStore(Class<?> testClass) {
    return store(new ImageStoreLocation(newBucket(testClass), "images"), endpoint());
  }

  /** An object store at {@code location} through {@code endpoint} (e.g. a {@link TcpRelay}). */
  public static S3ObjectStore store(ImageStoreLocation location, URI endpoint) {
    return S3ObjectStore.create(location, endpoint, "us-east-1", credentials());
  }

  /** Keys in {@code bucket}, for assertions. */
  public List<String> keys(String bucket) {
    return admin.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream()
        .map(o -> o.key()).toList();
  }

  /** Writes an object behind Deja's back. */
  public void putObject(String bucket, String key, byte[] bytes) {
    admin.putObject(r -> r.bucket(bucket).key(key),
        software.amazon.awssdk.core.sync.RequestBody.fromBytes(bytes));
  }

  /** Deletes an object behind Deja's back. */
  public void deleteObject(String bucket, String key) {
    admin.deleteObject(r -> r.bucket(bucket).key(key));
  }

  private static S3TestServer start() {
    String jar = System.getProperty("deja.s3mock.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("S3Mock jar not found at " + jar
          + " (system property deja.s3mock.jar; the build copies it in process-test-classes:"
          + " run the tests through Maven)");
    }
    int port = freePort();
    try {
      Path root = Files.createTempDirectory("deja-s3mock");
      Path log = root.resolve("s3mock.log");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", jar,
          "--com.adobe.testing.s3mock.http-port=" + port,
          "--server.port=0",
          "--com.adobe.testing.s3mock.store.root=" + root.resolve("store"),
          "--spring.main.banner-mode=off")
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "s3mock-stop"));
      long deadline = System.nanoTime() + 90_000_000_000L;
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException("S3Mock exited with " + p.exitValue() + ": "
              + Files.readString(log));
        }
        if (answers(port)) {
          return new S3TestServer(p, port);
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

  @Override
  public String toString() {
    return "S3Mock on " + endpoint() + (process.isAlive() ? "" : " (stopped)");
  }
}
