package dev.deja.server.cluster;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The image API all gateways share, in the test JVM: counts every request it receives, per
 * path, and answers after a configurable generation delay with an image that depends on the path
 * only (so a wrong image is detectable).
 */
final class CountingOrigin implements AutoCloseable {

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicInteger calls = new AtomicInteger();
  private final Map<String, AtomicInteger> perPath = new ConcurrentHashMap<>();
  private volatile long delayMillis;

  CountingOrigin(long delayMillis) throws IOException {
    this.delayMillis = delayMillis;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getRawPath() + "?"
          + exchange.getRequestURI().getRawQuery();
      calls.incrementAndGet();
      perPath.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      try {
        Thread.sleep(this.delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = image(path);
      exchange.getResponseHeaders().set("Content-Type", "image/png");
      exchange.getResponseHeaders().set("Cache-Control", "public, max-age=3600");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(threads);
    server.start();
  }

  /** The image this origin draws for a path (and query), whoever asks. */
  static byte[] image(String pathAndQuery) {
    byte[] text = ("image for " + pathAndQuery).getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[PNG_SIGNATURE.length + text.length];
    System.arraycopy(PNG_SIGNATURE, 0, body, 0, PNG_SIGNATURE.length);
    System.arraycopy(text, 0, body, PNG_SIGNATURE.length, text.length);
    return body;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void delayMillis(long millis) {
    this.delayMillis = millis;
  }

  int calls() {
    return calls.get();
  }

  int calls(String pathAndQuery) {
    AtomicInteger n = perPath.get(pathAndQuery);
    return n == null ? 0 : n.get();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
