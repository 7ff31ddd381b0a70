package dev.deja.db.testing;

import dev.deja.db.objects.ImageStoreLocation;
import dev.deja.db.objects.S3ObjectStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server for the tests: Adobe S3Mock, run as its own process ({@link S3MockProcess})
 * from the jar the build copies to {@code target/s3mock/} (system property {@code
 * deja.s3mock.jar}). Started once per
 * test JVM on a free port and stopped when the JVM exits; each test takes its own bucket. Nothing
 * is skipped when it cannot start: the test fails and says why.
 */
public final class S3TestServer {

  /** S3Mock accepts any credentials; the tests use these. */
  public static final String ACCESS_KEY = "deja-test";
  public static final String SECRET_KEY = "deja-test-secret";

  private static S3TestServer instance;

  private final S3MockProcess process;
  private final int port;
  private final S3Client admin;

  private S3TestServer(S3MockProcess process) {
    this.process = process;
    this.port = process.port();
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
    S3MockProcess mock = S3MockProcess.start(jar == null ? null : Path.of(jar),
        List.of("-Xmx384m", "-XX:TieredStopAtLevel=1")); // starts faster; tests are not timed
    return new S3TestServer(mock);
  }

  @Override
  public String toString() {
    return "S3Mock on " + endpoint() + (process.isAlive() ? "" : " (stopped)");
  }
}
