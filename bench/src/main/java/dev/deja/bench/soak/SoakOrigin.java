package dev.deja.bench.soak;

import dev.deja.bench.http.BenchImages;
import dev.deja.bench.http.Jetty;
import dev.deja.bench.http.OriginControlServlet;
import dev.deja.filter.demo.DemoOriginServlet;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/**
 * The soak's stand-in image API (issue #11): the demo origin (same delay, same deterministic
 * picture) answering images of mixed sizes, some of them 15 MiB, and now and then a faulty
 * answer. The size is a function of the request's identity (prompt, model, seed), so a prompt is
 * always as large as it was and the load generator can tell a large prompt before asking for it
 * ({@link #bytesFor}); faults are drawn per request, so a retry of the same prompt may succeed.
 *
 * <p>Sizes: 2 % of prompts 15 MiB, 8 % 2 MiB, 30 % 512 KiB, the rest 64-256 KiB. Faults (per
 * request, defaults): 1 % a 5xx, 0.5 % a body cut mid-way (Content-Length announced, half sent,
 * connection dropped), 0.5 % a slow drip (the body in 20 pieces over {@code dripMillis}).
 *
 * <p>{@code SoakOrigin <port> <delayMs> [fault5xxPermille truncatePermille dripPermille
 * dripMillis]}; prints {@code READY origin=<port>} and runs until killed. {@code GET
 * /_origin/stats} answers the counters as JSON; {@code /_origin/delay?ms=N} sets the delay.
 */
public final class SoakOrigin implements AutoCloseable {

  public static final int LARGE_BYTES = 15 * 1024 * 1024;
  static final int MEDIUM_BYTES = 2 * 1024 * 1024;
  static final int SMALL_BYTES = 512 * 1024;

  private final Server server;
  private final SoakServlet servlet;

  /** Fault rates in permille of requests, and how long a slow drip takes. */
  public record Faults(int serverErrorPermille, int truncatePermille, int dripPermille,
      long dripMillis) {
    public static Faults defaults() {
      return new Faults(10, 5, 5, 5_000);
    }

    public static Faults none() {
      return new Faults(0, 0, 0, 0);
    }
  }

  private SoakOrigin(int port, long delayMs, Faults faults) throws Exception {
    servlet = new SoakServlet(delayMs, faults);
    ServletContextHandler context = Jetty.context("/prompt/*", servlet);
    context.addServlet(new ServletHolder(
        new OriginControlServlet(servlet, Map.of("/stats", servlet::stats))), "/_origin/*");
    // Every in-flight request sleeps in a thread (the delay, a drip): room for 2x 64 connections.
    server = Jetty.server(port, 200, context);
    server.start();
  }

  /** Starts the origin; port 0 picks a free one. */
  public static SoakOrigin start(int port, long delayMs, Faults faults) throws Exception {
    return new SoakOrigin(port, delayMs, faults);
  }

  public int port() {
    return Jetty.port(server);
  }

  /** Answers by kind ({@code ok}, {@code 5xx}, {@code truncated}, {@code drip}) and bytes sent. */
  public Map<String, Long> stats() {
    return servlet.stats();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  /** The size of the image the origin answers for this prompt (no model, no seed: the bench's). */
  public static int bytesFor(String prompt, String model, String seed) {
    return bytesFor("/" + prompt + '\n' + model + '\n' + seed);
  }

  static int bytesFor(String identity) {
    // A spread hash: String.hashCode of near-identical prompts would cluster in the buckets.
    long h = identity.hashCode() * 0x9E3779B97F4A7C15L;
    int bucket = (int) Math.floorMod(h ^ (h >>> 29), 1000L);
    if (bucket < 20) {
      return LARGE_BYTES;
    } else if (bucket < 100) {
      return MEDIUM_BYTES;
    } else if (bucket < 400) {
      return SMALL_BYTES;
    }
    return 64 * 1024 + (bucket - 400) * (192 * 1024 / 600);
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long delay = Long.parseLong(args[1]);
    Faults d = Faults.defaults();
    Faults faults = args.length > 5
        ? new Faults(Integer.parseInt(args[2]), Integer.parseInt(args[3]),
            Integer.parseInt(args[4]), Long.parseLong(args[5]))
        : d;
    SoakOrigin origin = start(port, delay, faults);
    System.out.println("READY origin=" + origin.port() + " faults=" + faults);
    System.out.flush();
    origin.server.join();
  }

  private static final class SoakServlet extends DemoOriginServlet {
    private static final long serialVersionUID = 1L;
    private final transient Faults faults;
    private final transient Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    SoakServlet(long delayMillis, Faults faults) {
      super(delayMillis);
      this.faults = faults;
    }

    Map<String, Long> stats() {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("calls", calls());
      counts.entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> m.put(e.getKey(), e.getValue().sum()));
      return m;
    }

    private void count(String kind, long bytes) {
      counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
      counts.computeIfAbsent("bytes_sent", k -> new LongAdder()).add(bytes);
    }

    @Override
    protected void respond(HttpServletRequest request, HttpServletResponse response, byte[] png)
        throws IOException {
      int size = bytesFor(BenchImages.identity(request));
      if (size >= LARGE_BYTES) {
        count("large", 0);
      }
      int draw = ThreadLocalRandom.current().nextInt(1000);
      if (draw < faults.serverErrorPermille()) {
        count("5xx", 0);
        response.sendError(draw % 2 == 0 ? 503 : 500, "soak: injected failure");
        return;
      }
      byte[] body = BenchImages.image(request, size);
      response.setStatus(200);
      response.setContentType("image/png");
      response.setHeader("Cache-Control", "public, max-age=31536000, immutable");
      response.setContentLength(body.length);
      ServletOutputStream out = response.getOutputStream();
      draw -= faults.serverErrorPermille();
      if (draw >= 0 && draw < faults.truncatePermille()) {
        count("truncated", body.length / 2);
        out.write(body, 0, body.length / 2);
        out.flush();
        // Committed with half the announced length: Jetty aborts the connection.
        throw new IOException("soak: injected truncation");
      }
      draw -= faults.truncatePermille();
      if (draw >= 0 && draw < faults.dripPermille()) {
        count("drip", body.length);
        int pieces = 20;
        for (int i = 0; i < pieces; i++) {
          int from = (int) ((long) body.length * i / pieces);
          int to = (int) ((long) body.length * (i + 1) / pieces);
          out.write(body, from, to - from);
          out.flush();
          try {
            Thread.sleep(faults.dripMillis() / pieces);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
          }
        }
        return;
      }
      count("ok", body.length);
      out.write(body);
    }
  }
}
