package dev.deja.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An image origin on a raw loopback socket, so a test controls every byte it sends and exactly
 * when a connection is closed or reset, which a servlet origin cannot do. The first word of the
 * prompt picks the behaviour ({@code /prompt/reset-mid-body%20a%20cat?seed=1}); any other prompt
 * gets a small PNG. Every answer says {@code Connection: close}: one exchange per connection, so a
 * reset never hits a pooled connection another request reuses.
 */
final class MisbehavingOrigin implements AutoCloseable {

  /** Bytes of the PNG signature, so image bodies look like images to anyone who sniffs. */
  private static final byte[] PNG_SIGNATURE = {
    (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
  };

  static final int SMALL = 2 * 1024;
  static final int LARGE = 15 * 1024 * 1024;
  static final int HUGE = 50 * 1024 * 1024;
  static final int PARTIAL = 256 * 1024;
  static final int TRUNCATED_DECLARED = 100_000;
  static final int TRUNCATED_SENT = 40_000;
  static final int DRIP_CHUNKS = 8;
  static final int DRIP_CHUNK = 1024;
  static final long DRIP_PAUSE_MILLIS = 150;
  /** After part of the body, the reset waits this long: long enough for followers to queue up. */
  static final long MID_BODY_PAUSE_MILLIS = 800;
  static final String SVG =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\">"
          + "<script>alert(document.cookie)</script><rect width=\"8\" height=\"8\"/></svg>";

  /** What the origin does with a request, chosen by the prompt's first word. */
  enum Behaviour {
    /** 200, a small PNG with Content-Length. */
    IMAGE("image"),
    /** 503 with a text body: the generator is overloaded. */
    SERVER_ERROR("error"),
    /** Reads the request and never answers. */
    HANG("hang"),
    /** Reads the request and resets the connection without sending a byte. */
    RESET_BEFORE_FIRST_BYTE("reset-early"),
    /** Headers for a 15 MB PNG, 256 KB of it, a pause, then a reset. */
    RESET_MID_BODY("reset-mid-body"),
    /** Declares 100,000 bytes, sends 40,000 and closes normally (FIN, no reset). */
    TRUNCATED("truncated"),
    /**
     * Declares 2,000 bytes, sends 500 and closes: small enough that the gateway still holds it
     * in its buffer when the cut is noticed, so the client gets the proxy's 502 instead.
     */
    TRUNCATED_SMALL("truncated-small"),
    /** 8 KB in 1 KB chunks, 150 ms apart: slow, but well within the origin timeout. */
    SLOW_DRIP("drip"),
    /** A complete 15 MB PNG, under the capture limit. */
    LARGE_IMAGE("large"),
    /** A complete 50 MB PNG, over the capture limit. */
    HUGE_IMAGE("huge"),
    /** 200 image/png with an empty body. */
    EMPTY("empty"),
    /** 200 text/html: an error page or a login wall, not an image. */
    HTML("html"),
    /** 200 image/svg+xml carrying a script. */
    SVG_WITH_SCRIPT("svg"),
    /** 200 PNG with headers that belong to one exchange or one user. */
    PRIVATE_HEADERS("private");

    final String word;

    Behaviour(String word) {
      this.word = word;
    }

    static Behaviour of(String prompt) {
      String first = prompt.strip().split("\\s+", 2)[0];
      for (Behaviour b : values()) {
        if (b.word.equals(first)) {
          return b;
        }
      }
      return IMAGE;
    }
  }

  private final ServerSocket listener;
  private final ExecutorService connections =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "misbehaving-origin");
            t.setDaemon(true);
            return t;
          });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Map<Behaviour, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  MisbehavingOrigin() throws IOException {
    listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    connections.execute(this::accept);
  }

  String url() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /** Requests that reached the origin with this behaviour. */
  int calls(Behaviour behaviour) {
    AtomicInteger n = calls.get(behaviour);
    return n == null ? 0 : n.get();
  }

  /** The body a complete answer of {@code size} bytes carries: a PNG signature, then a pattern. */
  static byte[] body(int size) {
    byte[] body = new byte[size];
    for (int i = 0; i < size; i++) {
      body[i] = (byte) (i * 31 + 7);
    }
    System.arraycopy(PNG_SIGNATURE, 0, body, 0, Math.min(size, PNG_SIGNATURE.length));
    return body;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket socket = listener.accept();
        open.add(socket);
        connections.execute(() -> serve(socket));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(10_000);
      String requestLine = readRequestHead(socket.getInputStream());
      if (requestLine == null) {
        return;
      }
      Behaviour behaviour = Behaviour.of(prompt(requestLine));
      calls.computeIfAbsent(behaviour, b -> new AtomicInteger()).incrementAndGet();
      answer(behaviour, socket, socket.getOutputStream());
    } catch (IOException | InterruptedException e) {
      // The proxy gave up on us (timeout, its client went away): that is what these tests provoke.
    } finally {
      open.remove(socket);
    }
  }

  private void answer(Behaviour behaviour, Socket socket, OutputStream out)
      throws IOException, InterruptedException {
    switch (behaviour) {
      case IMAGE -> complete(out, "image/png", body(SMALL), "");
      case SERVER_ERROR -> {
        byte[] text = "generator overloaded".getBytes(StandardCharsets.US_ASCII);
        head(out, "503 Service Unavailable", "text/plain", text.length, "Retry-After: 1\r\n");
        out.write(text);
      }
      case HANG -> closed.await(); // until the test ends; the proxy's timeout must act first
      case RESET_BEFORE_FIRST_BYTE -> reset(socket);
      case RESET_MID_BODY -> {
        head(out, "200 OK", "image/png", LARGE, "");
        out.write(body(PARTIAL));
        out.flush();
        Thread.sleep(MID_BODY_PAUSE_MILLIS);
        reset(socket);
      }
      case TRUNCATED -> {
        head(out, "200 OK", "image/png", TRUNCATED_DECLARED, "");
        out.write(body(TRUNCATED_SENT));
        out.flush();
      }
      case TRUNCATED_SMALL -> {
        head(out, "200 OK", "image/png", 2_000, "");
        out.write(body(500));
        out.flush();
      }
      case SLOW_DRIP -> {
        byte[] body = body(DRIP_CHUNKS * DRIP_CHUNK);
        head(out, "200 OK", "image/png", body.length, "");
        for (int i = 0; i < DRIP_CHUNKS; i++) {
          out.write(body, i * DRIP_CHUNK, DRIP_CHUNK);
          out.flush();
          Thread.sleep(DRIP_PAUSE_MILLIS);
        }
      }
      case LARGE_IMAGE -> complete(out, "image/png", body(LARGE), "");
      case HUGE_IMAGE -> {
        head(out, "200 OK", "image/png", HUGE, "");
        byte[] chunk = body(64 * 1024);
        for (int sent = 0; sent < HUGE; sent += chunk.length) {
          out.write(chunk, 0, Math.min(chunk.length, HUGE - sent));
        }
      }
      case EMPTY -> complete(out, "image/png", new byte[0], "");
      case HTML -> complete(out, "text/html; charset=utf-8",
          "<html><body>please log in</body></html>".getBytes(StandardCharsets.UTF_8), "");
      case SVG_WITH_SCRIPT -> complete(out, "image/svg+xml",
          SVG.getBytes(StandardCharsets.UTF_8), "");
      case PRIVATE_HEADERS -> complete(out, "image/png", body(SMALL),
          "Authorization: Bearer origin-secret-token\r\n"
              + "X-Request-Id: req-0123456789\r\n"
              + "X-Secret: do-not-replay\r\n");
    }
    out.flush();
  }

  private static void complete(OutputStream out, String type, byte[] body, String extraHeaders)
      throws IOException {
    head(out, "200 OK", type, body.length, extraHeaders);
    out.write(body);
  }

  private static void head(
      OutputStream out, String status, String type, long length, String extraHeaders)
      throws IOException {
    String head =
        "HTTP/1.1 " + status + "\r\n"
            + "Content-Type: " + type + "\r\n"
            + "Content-Length: " + length + "\r\n"
            + extraHeaders
            + "Connection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
  }

  /** Closes with SO_LINGER 0, so the peer gets a TCP RST instead of an orderly FIN. */
  static void reset(Socket socket) throws SocketException, IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  /** Reads up to the blank line; returns the request line, or null when the peer left early. */
  private static String readRequestHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length && head.size() < 16 * 1024) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    return text.substring(0, text.indexOf('\r'));
  }

  /** The decoded prompt of {@code GET /prompt/<prompt>?... HTTP/1.1}. */
  private static String prompt(String requestLine) {
    String[] parts = requestLine.split(" ");
    String target = parts.length > 1 ? parts[1] : "";
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    String encoded = path.startsWith("/prompt/") ? path.substring("/prompt/".length()) : path;
    return URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    listener.close();
    for (Socket s : Arrays.asList(open.toArray(Socket[]::new))) {
      s.close();
    }
    connections.shutdownNow();
    try {
      connections.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
