package dev.deja.bench.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import dev.deja.db.testing.S3MockProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 API the image-storage benchmark writes to: one given by URL (MinIO, R2... with
 * credentials from the AWS chain), or Adobe S3Mock started as its own process by the db module's
 * {@link S3MockProcess}, as the tests start it. Closing stops the process and deletes its files.
 */
final class S3Endpoint implements AutoCloseable {

  /** S3Mock accepts any credentials: these are set only when the AWS chain has none. */
  static final String MOCK_ACCESS_KEY = "deja-bench";
  static final String MOCK_SECRET_KEY = "deja-bench-secret";

  private final URI uri;
  private final S3MockProcess process;
  private final S3Client admin;

  private S3Endpoint(URI uri, S3MockProcess process) {
    this.uri = uri;
    this.process = process;
    this.admin = S3Client.builder().region(Region.US_EAST_1).endpointOverride(uri)
        .forcePathStyle(true).build();
  }

  /** An S3 API that is already running. */
  static S3Endpoint external(URI uri) {
    return new S3Endpoint(uri, null);
  }

  /** S3Mock from {@code jar} on a free loopback port, answering within 90 s or failing. */
  static S3Endpoint startMock(Path jar) {
    if (System.getProperty("aws.accessKeyId") == null
        && System.getenv("AWS_ACCESS_KEY_ID") == null) {
      System.setProperty("aws.accessKeyId", MOCK_ACCESS_KEY);
      System.setProperty("aws.secretAccessKey", MOCK_SECRET_KEY);
    }
    // As the tests run it, but with the full JIT: the benchmark measures S3Mock's reads.
    S3MockProcess mock = S3MockProcess.start(jar, List.of("-Xmx512m"));
    return new S3Endpoint(mock.endpoint(), mock);
  }

  URI uri() {
    return uri;
  }

  /** What it is, for the result file. */
  String kind() {
    return process == null ? "external " + uri : "Adobe S3Mock (local process) on " + uri;
  }

  /** The S3Mock process id, or -1 for an external endpoint. */
  long pid() {
    return process == null ? -1 : process.pid();
  }

  /** A new empty bucket whose name starts with {@code prefix}. */
  String newBucket(String prefix) {
    String bucket = (prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "") + "-"
        + UUID.randomUUID().toString().substring(0, 8));
    admin.createBucket(r -> r.bucket(bucket));
    return bucket;
  }

  /** Objects and bytes under {@code bucket}. */
  long[] usage(String bucket) {
    long[] out = new long[2];
    admin.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().forEach(o -> {
      out[0]++;
      out[1] += o.size();
    });
    return out;
  }

  /**
   * The store alone, for reference: {@code threads} callers reading the objects of {@code bucket}
   * whole at random through the SDK, for {@code seconds}; the first {@code warmup} seconds are
   * discarded. Returns the reads per second and their latency (microsecond histogram).
   */
  Map<String, Object> readLoop(String bucket, int threads, double warmup, double seconds)
      throws InterruptedException {
    List<String> keys = admin.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream()
        .map(o -> o.key()).toList();
    long from = System.nanoTime() + (long) (warmup * 1e9);
    long until = from + (long) (seconds * 1e9);
    Histogram all = LoadGenerator.histogram();
    AtomicLong errors = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    long cpuBefore = cpuMillis();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        Histogram mine = LoadGenerator.histogram();
        while (System.nanoTime() < until) {
          String key = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
          long t0 = System.nanoTime();
          try {
            admin.getObjectAsBytes(r -> r.bucket(bucket).key(key));
          } catch (RuntimeException e) {
            errors.incrementAndGet();
            continue;
          }
          long t1 = System.nanoTime();
          if (t0 >= from && t1 <= until) {
            mine.recordValue((t1 - t0) / 1000);
          }
        }
        synchronized (all) {
          all.add(mine);
        }
      }, "s3-read-" + t);
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    long cpu = cpuMillis() - cpuBefore;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("threads", threads);
    out.put("seconds", seconds);
    out.put("reads", all.getTotalCount());
    out.put("errors", errors.get());
    out.put("rps", Math.round(all.getTotalCount() / seconds * 10) / 10.0);
    out.put("latency", Results.percentiles(all));
    if (process != null) {
      // Over warm-up and measurement alike: CPU of the S3Mock process per read it answered.
      out.put("s3mock_cpu_ms_per_read", Math.round(10.0 * cpu / Math.max(1, all.getTotalCount()
          * (warmup + seconds) / seconds)) / 10.0);
    }
    return out;
  }

  /** User + system CPU time of the S3Mock process so far, in ms (Linux), or 0. */
  private long cpuMillis() {
    if (process == null) {
      return 0;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // 100 ticks a second
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  @Override
  public void close() throws IOException {
    admin.close();
    if (process != null) {
      process.close();
    }
  }
}
