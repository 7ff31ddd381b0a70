package dev.deja.db.objects;

import dev.deja.db.CacheUnavailableException;
import dev.deja.db.ImageMissingException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} on any S3 API (AWS, MinIO, Cloudflare R2, Ceph RGW, GCS interoperability)
 * through the AWS SDK for Java v2 and its pooled Apache HttpClient 5.
 *
 * <p>Keys are {@code PREFIX/<sha256>-<random>}: content-addressed for people and for dedup (the
 * database holds one row per SHA-256), and unique per write, so an object is never overwritten and
 * its last-modified time is the time it was written.
 */
public final class S3ObjectStore implements ObjectStore {

  /**
   * Bound on a read on the request path, retries included: a whole small image, or the response
   * headers of a streamed one. A slower store is an outage, not a wait.
   */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
  /** Bound on a write, a delete or a listing, all off the request path. */
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Between two reads of a streamed body: a stalled store must not hold a client for long. */
  private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(10);
  /**
   * Reads and writes have a pool each, so clients that hold read connections (slow readers of
   * large images) cannot starve the background writes, nor writes the reads. The read pool is as
   * large as a container's thread pool (Jetty's default 200), so it is not the first thing a
   * slowloris exhausts.
   */
  private static final int READ_CONNECTIONS = 256;
  private static final int WRITE_CONNECTIONS = 32;
  /**
   * Longest wait for a pooled connection: when every connection is taken, a hit fails open to the
   * origin at once instead of queueing; and a read is tried at most twice.
   */
  private static final Duration ACQUIRE_TIMEOUT = Duration.ofMillis(500);
  private static final int READ_ATTEMPTS = 2;
  private static final SecureRandom NONCES = new SecureRandom();
  private static final Pattern OBJECT_NAME =
      Pattern.compile("[0-9a-f]{64}-[0-9a-f]{12}");

  private final S3Client reads;
  private final S3Client writes;
  private final ImageStoreLocation location;
  /** {@code s3://BUCKET/}: an object's URI is this and its key. */
  private final String bucketUri;
  private final String uriPrefix;
  private final String keyPrefix;

  private S3ObjectStore(S3Client reads, S3Client writes, ImageStoreLocation location) {
    this.reads = reads;
    this.writes = writes;
    this.location = location;
    this.keyPrefix = location.prefix().isEmpty() ? "" : location.prefix() + "/";
    this.bucketUri = "s3://" + location.bucket() + "/";
    this.uriPrefix = bucketUri + keyPrefix;
  }

  /**
   * A client for {@code location}, with credentials from the standard AWS chain (environment,
   * system properties, profile, container or instance role).
   *
   * @param endpoint the S3 API's URL, for anything but AWS itself; {@code null} for AWS. Given an
   *     endpoint, requests use path-style addressing ({@code endpoint/bucket/key}), which every
   *     S3-compatible server understands.
   * @param region the signing region; {@code null} means {@code us-east-1}, which most
   *     S3-compatible servers accept (R2 wants {@code auto})
   */
  public static S3ObjectStore create(ImageStoreLocation location, URI endpoint, String region) {
    return create(location, endpoint, region, DefaultCredentialsProvider.builder().build());
  }

  /** As {@link #create(ImageStoreLocation, URI, String)}, with these credentials. */
  public static S3ObjectStore create(
      ImageStoreLocation location, URI endpoint, String region, AwsCredentialsProvider credentials) {
    Objects.requireNonNull(location, "location");
    if (!location.isObjectStore()) {
      throw new IllegalArgumentException("not an object store location: " + location);
    }
    try {
      S3Client writer = client(endpoint, region, credentials, WRITE_CONNECTIONS, 4);
      try {
        return new S3ObjectStore(
            client(endpoint, region, credentials, READ_CONNECTIONS, READ_ATTEMPTS), writer,
            location);
      } catch (RuntimeException e) {
        writer.close();
        throw e;
      }
    } catch (SdkException e) {
      throw unavailable("connect", e);
    }
  }

  private static S3Client client(URI endpoint, String region, AwsCredentialsProvider credentials,
      int connections, int attempts) {
    S3ClientBuilder builder = S3Client.builder()
        .region(Region.of(region == null || region.isBlank() ? "us-east-1" : region))
        .credentialsProvider(credentials)
        // Our own integrity check is Content-MD5 plus the length read back; the SDK's newer
        // default (a CRC trailer on every upload) is refused by several S3-compatible servers.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(c -> c.retryStrategy(b -> b.maxAttempts(attempts)))
        .httpClientBuilder(Apache5HttpClient.builder()
            .maxConnections(connections)
            .connectionTimeout(CONNECT_TIMEOUT)
            .connectionAcquisitionTimeout(ACQUIRE_TIMEOUT)
            .socketTimeout(SOCKET_TIMEOUT));
    if (endpoint != null) {
      builder.endpointOverride(endpoint).forcePathStyle(true);
    }
    return builder.build();
  }

  @Override
  public ImageStoreLocation location() {
    return location;
  }

  @Override
  public boolean owns(String uri) {
    return uri != null && uri.startsWith(uriPrefix)
        && OBJECT_NAME.matcher(uri.substring(uriPrefix.length())).matches();
  }

  @Override
  public String put(String sha256, byte[] bytes, String contentType) {
    byte[] nonce = new byte[6];
    NONCES.nextBytes(nonce);
    String key = keyPrefix + sha256 + "-" + HexFormat.of().formatHex(nonce);
    try {
      writes.putObject(r -> r.bucket(location.bucket()).key(key).contentType(contentType)
              .contentLength((long) bytes.length).contentMD5(md5(bytes))
              .metadata(Map.of("sha256", sha256))
              .overrideConfiguration(c -> c.apiCallTimeout(WRITE_TIMEOUT)),
          RequestBody.fromBytes(bytes));
      // Verified before any row may point to it: the store answers for the whole object.
      HeadObjectResponse head = writes.headObject(r -> r.bucket(location.bucket()).key(key)
          .overrideConfiguration(c -> c.apiCallTimeout(WRITE_TIMEOUT)));
      if (head.contentLength() == null || head.contentLength() != bytes.length) {
        throw new CacheUnavailableException(COMPONENT, "put", new IOException(
            "object " + key + " holds " + head.contentLength() + " bytes, wrote " + bytes.length));
      }
      return bucketUri + key;
    } catch (SdkException e) {
      throw unavailable("put", e);
    }
  }

  @Override
  public byte[] read(String uri) {
    String key = key(uri);
    try {
      return reads.getObjectAsBytes(r -> r.bucket(location.bucket()).key(key)
          .overrideConfiguration(c -> c.apiCallTimeout(READ_TIMEOUT))).asByteArray();
    } catch (NoSuchKeyException e) {
      throw new ImageMissingException(uri);
    } catch (SdkException e) {
      throw unavailable("read", e);
    }
  }

  @Override
  public InputStream open(String uri, long from, long count) {
    String key = key(uri);
    if (from < 0 || count < 0) {
      throw new IllegalArgumentException("bad range " + from + "+" + count);
    }
    GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(location.bucket()).key(key)
        .overrideConfiguration(c -> c.apiCallTimeout(READ_TIMEOUT)); // up to the headers
    if (count == 0) {
      return InputStream.nullInputStream();
    }
    request.range("bytes=" + from + "-" + (from + count - 1));
    try {
      return new Body(reads.getObject(request.build()), count);
    } catch (NoSuchKeyException e) {
      throw new ImageMissingException(uri);
    } catch (SdkException e) {
      throw unavailable("open", e);
    }
  }

  @Override
  public void delete(String uri) {
    String key = key(uri);
    try {
      writes.deleteObject(r -> r.bucket(location.bucket()).key(key)
          .overrideConfiguration(c -> c.apiCallTimeout(WRITE_TIMEOUT)));
    } catch (NoSuchKeyException e) {
      // already gone
    } catch (SdkException e) {
      throw unavailable("delete", e);
    }
  }

  @Override
  public List<StoredObject> list(String afterUri, int max) {
    if (max < 1 || max > 1000) {
      throw new IllegalArgumentException("max must be within 1..1000 but was " + max);
    }
    try {
      ListObjectsV2Response page = writes.listObjectsV2(r -> {
        r.bucket(location.bucket()).prefix(keyPrefix).maxKeys(max)
            .overrideConfiguration(c -> c.apiCallTimeout(WRITE_TIMEOUT));
        if (afterUri != null) {
          r.startAfter(afterUri.substring(bucketUri.length()));
        }
      });
      List<StoredObject> out = new ArrayList<>();
      for (S3Object o : page.contents()) {
        out.add(new StoredObject(bucketUri + o.key(), o.lastModified(),
            o.size() == null ? 0 : o.size()));
      }
      return out;
    } catch (SdkException e) {
      throw unavailable("list", e);
    }
  }

  @Override
  public void check() {
    try {
      reads.headBucket(r -> r.bucket(location.bucket())
          .overrideConfiguration(c -> c.apiCallTimeout(READ_TIMEOUT)));
    } catch (SdkException e) {
      throw unavailable("check bucket " + location.bucket(), e);
    }
  }

  /** Closes both pools, aborting what they still carry (a shutdown does not wait for them). */
  @Override
  public void close() {
    try {
      reads.close();
    } finally {
      writes.close();
    }
  }

  @Override
  public String toString() {
    return "S3ObjectStore{" + location + "}";
  }

  private String key(String uri) {
    if (!owns(uri)) {
      throw new CacheUnavailableException(COMPONENT, "address",
          new IllegalArgumentException(uri + " is not an image object under " + uriPrefix
              + ": the image store setting changed while entries still point elsewhere"));
    }
    return uri.substring(bucketUri.length());
  }

  /**
   * An object's bytes as the SDK streams them. Closing it before the end aborts the connection
   * (a client that went away mid-image) instead of reading the rest of the object to reuse it.
   */
  private static final class Body extends FilterInputStream {
    private final ResponseInputStream<GetObjectResponse> response;
    private long left;

    Body(ResponseInputStream<GetObjectResponse> response, long count) {
      super(response);
      this.response = response;
      this.left = count;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int off, int len) throws IOException {
      int n = super.read(buffer, off, len);
      if (n > 0) {
        left -= n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      if (left > 0) {
        response.abort();
      }
      super.close();
    }
  }

  private static String md5(byte[] bytes) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }

  private static CacheUnavailableException unavailable(String operation, Exception e) {
    if (e instanceof S3Exception s3e && s3e.statusCode() == 404 && operation.startsWith("check")) {
      return new CacheUnavailableException(COMPONENT, operation,
          new IllegalStateException("no such bucket", e));
    }
    return new CacheUnavailableException(COMPONENT, operation, e);
  }
}
