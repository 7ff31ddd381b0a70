package dev.deja.bench.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop HTTP/1.1 load generator: {@code connections} keep-alive sockets, one thread each,
 * each sending its next request as soon as the previous answer is read completely. Latencies go to
 * HdrHistograms in microseconds: total (request written to last body byte) and time to first
 * byte. Requests answered during the warm-up are discarded. Bounded: stops at the end of the
 * measurement window, after {@code maxRequests}, or when the path supplier runs dry.
 *
 * <p>Answers are classified by {@code X-Cache}/{@code X-Cache-Type} (e.g. {@code HIT/exact},
 * {@code HIT/semantic}, {@code MISS}, {@code -} when absent), and {@code Server-Timing} metrics
 * (lookup, embed, search, origin) are recorded per class.
 */
public final class LoadGenerator {

  private static final long HIGHEST_MICROS = 120_000_000L;

  private LoadGenerator() {}

  /** Everything one measurement window saw. */
  public record Result(
      int connections,
      double seconds,
      long requests,
      long errors,
      Histogram total,
      Histogram ttfb,
      Map<String, Long> classes,
      Map<String, Histogram> totalByClass,
      Map<String, Histogram> timings) {

    public double requestsPerSecond() {
      return requests / seconds;
    }
  }

  /** Next request path (with query), or null when there is none left. Thread-safe. */
  public interface Paths extends Supplier<String> {}

  public static Result run(int port, int connections, double warmupSeconds,
      double measureSeconds, long maxRequests, Paths paths) throws InterruptedException {
    return run(port, connections, warmupSeconds, measureSeconds, maxRequests, 0, paths);
  }

  /**
   * As above; connection {@code i} starts {@code i * staggerMillis / connections} late, so that
   * against a constant-delay origin the requests do not arrive in lockstep waves.
   */
  public static Result run(int port, int connections, double warmupSeconds,
      double measureSeconds, long maxRequests, long staggerMillis, Paths paths)
      throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + (long) (warmupSeconds * 1e9);
    long until = measureFrom + (long) (measureSeconds * 1e9);
    AtomicLong budget = new AtomicLong(maxRequests);
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      workers.add(new Worker(port, measureFrom, until, budget, paths,
          staggerMillis * i / connections));
    }
    List<Thread> threads = new ArrayList<>();
    for (Worker w : workers) {
      Thread t = new Thread(w, "load-" + threads.size());
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      // Bounded: a request can outlive the window by at most its socket timeout.
      t.join(Math.max(1, (until - System.nanoTime()) / 1_000_000) + 65_000);
    }
    long measuredEnd = Math.min(System.nanoTime(), until);
    for (Worker w : workers) {
      w.stop = true;
    }
    Histogram total = histogram();
    Histogram ttfb = histogram();
    Map<String, Long> classes = new TreeMap<>();
    Map<String, Histogram> byClass = new TreeMap<>();
    Map<String, Histogram> timings = new TreeMap<>();
    long requests = 0;
    long errors = 0;
    long lastEnd = measureFrom;
    for (Worker w : workers) {
      synchronized (w) {
        total.add(w.total);
        ttfb.add(w.ttfb);
        requests += w.requests;
        errors += w.errors;
        lastEnd = Math.max(lastEnd, w.lastEnd);
        w.classes.forEach((k, v) -> classes.merge(k, v, Long::sum));
        w.byClass.forEach((k, v) -> byClass.computeIfAbsent(k, x -> histogram()).add(v));
        w.timings.forEach((k, v) -> timings.computeIfAbsent(k, x -> histogram()).add(v));
      }
    }
    // When the paths ran out early, rates are over the time actually used.
    long end = Math.min(measuredEnd, Math.max(lastEnd, measureFrom + 1));
    double seconds = Math.max(1e-3, (end - measureFrom) / 1e9);
    return new Result(connections, seconds, requests, errors, total, ttfb, classes, byClass,
        timings);
  }

  static Histogram histogram() {
    return new Histogram(HIGHEST_MICROS, 3);
  }

  private static final class Worker implements Runnable {
    private final int port;
    private final long measureFrom;
    private final long until;
    private final AtomicLong budget;
    private final Paths paths;
    volatile boolean stop;
    final Histogram total = histogram();
    final Histogram ttfb = histogram();
    final Map<String, Long> classes = new TreeMap<>();
    final Map<String, Histogram> byClass = new TreeMap<>();
    final Map<String, Histogram> timings = new TreeMap<>();
    long requests;
    long errors;
    long lastEnd;

    private final long delayMillis;

    Worker(int port, long measureFrom, long until, AtomicLong budget, Paths paths,
        long delayMillis) {
      this.delayMillis = delayMillis;
      this.port = port;
      this.measureFrom = measureFrom;
      this.until = until;
      this.budget = budget;
      this.paths = paths;
    }

    @Override
    public void run() {
      Socket socket = null;
      InputStream in = null;
      byte[] sink = new byte[64 * 1024];
      try {
        if (delayMillis > 0) {
          Thread.sleep(delayMillis);
        }
        while (!stop && System.nanoTime() < until && budget.getAndDecrement() > 0) {
          String path = paths.get();
          if (path == null) {
            return;
          }
          try {
            if (socket == null) {
              socket = connect();
              in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            }
            exchange(socket, in, path, sink);
          } catch (IOException e) {
            close(socket);
            socket = null;
            if (System.nanoTime() >= measureFrom) {
              synchronized (this) {
                errors++;
              }
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        close(socket);
      }
    }

    private Socket connect() throws IOException {
      return HttpWire.connect(port, 60_000);
    }

    private void exchange(Socket socket, InputStream in, String path, byte[] sink)
        throws IOException {
      long t0 = System.nanoTime();
      HttpWire.Answer answer = HttpWire.get(socket, in, path, sink);
      long t1 = System.nanoTime();
      if (answer.closeAfter()) {
        throw new IOException("server closed the connection");
      }
      if (t0 < measureFrom || t1 > until) {
        return;
      }
      String cls = answer.cacheClass();
      String serverTiming = answer.serverTiming();
      long micros = (t1 - t0) / 1000;
      synchronized (this) {
        requests++;
        lastEnd = t1;
        total.recordValue(Math.min(micros, HIGHEST_MICROS));
        ttfb.recordValue(Math.min((answer.firstByteNanos() - t0) / 1000, HIGHEST_MICROS));
        classes.merge(cls, 1L, Long::sum);
        byClass.computeIfAbsent(cls, k -> histogram()).recordValue(Math.min(micros, HIGHEST_MICROS));
        if (serverTiming != null) {
          for (String metric : serverTiming.split(",")) {
            String[] parts = metric.trim().split(";");
            for (String p : parts) {
              if (p.trim().startsWith("dur=")) {
                long us = Math.round(Double.parseDouble(p.trim().substring(4)) * 1000);
                timings.computeIfAbsent(cls + "/" + parts[0].trim(), k -> histogram())
                    .recordValue(Math.max(0, Math.min(us, HIGHEST_MICROS)));
              }
            }
          }
        }
      }
    }

    private static void close(Socket s) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
    }
  }
}
