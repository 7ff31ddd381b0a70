package dev.deja.bench.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 GET on a raw keep-alive socket, the way the bench's clients speak to every target:
 * request written, status and the headers the bench cares about parsed, body read into a sink
 * (fixed length or chunked). A caller may stop reading after {@code abortAfter} body bytes, as a
 * client that goes away mid-image does; it must then close the socket.
 */
public final class HttpWire {

  private HttpWire() {}

  /** What came back. {@code firstByteNanos} is {@link System#nanoTime()} at the first byte. */
  public record Answer(
      int status,
      long length,
      boolean closeAfter,
      String xCache,
      String xCacheType,
      String serverTiming,
      long firstByteNanos,
      long bodyBytes,
      boolean aborted) {

    /** {@code HIT/exact}, {@code HIT/semantic}, {@code MISS}, {@code -}, or {@code status-N}. */
    public String cacheClass() {
      return status != 200 ? "status-" + status
          : xCache == null ? "-" : xCacheType == null ? xCache : xCache + "/" + xCacheType;
    }
  }

  /** A loopback connection with Nagle off. */
  public static Socket connect(int port, int readTimeoutMillis) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.setSoTimeout(readTimeoutMillis);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return s;
  }

  /** The whole answer to {@code GET path}. */
  public static Answer get(Socket socket, InputStream in, String path, byte[] sink)
      throws IOException {
    return get(socket, in, path, sink, Long.MAX_VALUE);
  }

  /**
   * {@code GET path}, reading at most {@code abortAfter} body bytes of a fixed-length answer
   * longer than that ({@link Answer#aborted()} then true: the connection is unusable).
   */
  public static Answer get(Socket socket, InputStream in, String path, byte[] sink,
      long abortAfter) throws IOException {
    byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "User-Agent: deja-bench\r\nAccept: image/*\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(request);
    out.flush();
    int first = in.read();
    long tFirst = System.nanoTime();
    if (first < 0) {
      throw new EOFException("connection closed before the answer");
    }
    String statusLine = (char) first + line(in);
    if (!statusLine.startsWith("HTTP/1.1 ")) {
      throw new IOException("bad status line: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean closeAfter = false;
    String xCache = null;
    String xCacheType = null;
    String serverTiming = null;
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> closeAfter = value.equalsIgnoreCase("close");
        case "x-cache" -> xCache = value;
        case "x-cache-type" -> xCacheType = value;
        case "server-timing" ->
            serverTiming = serverTiming == null ? value : serverTiming + ", " + value;
        default -> { }
      }
    }
    long body = 0;
    boolean aborted = false;
    if (chunked) {
      for (long size = Long.parseLong(line(in).split(";")[0].trim(), 16); size > 0;
          size = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
        skip(in, size, sink);
        body += size;
        line(in);
      }
      while (!line(in).isEmpty()) {
        // trailers
      }
    } else if (length >= 0) {
      aborted = length > abortAfter;
      body = aborted ? abortAfter : length;
      skip(in, body, sink);
    } else {
      throw new IOException("answer without length");
    }
    return new Answer(status, length, closeAfter || aborted, xCache, xCacheType, serverTiming,
        tFirst, body, aborted);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("connection closed mid-answer");
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  private static void skip(InputStream in, long n, byte[] sink) throws IOException {
    while (n > 0) {
      int r = in.read(sink, 0, (int) Math.min(sink.length, n));
      if (r < 0) {
        throw new EOFException("connection closed mid-body");
      }
      n -= r;
    }
  }
}
