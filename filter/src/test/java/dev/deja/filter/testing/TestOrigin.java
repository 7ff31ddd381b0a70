package dev.deja.filter.testing;

import dev.deja.filter.demo.DemoOriginServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The demo origin, with switches to misbehave the way real origins do. */
public class TestOrigin extends DemoOriginServlet {

  private static final long serialVersionUID = 1L;

  /** How the next answers look. */
  public enum Mode {
    NORMAL,
    SERVER_ERROR,
    PRIVATE,
    NOT_AN_IMAGE,
    /** No Content-Length: the body is streamed in chunks. */
    CHUNKED,
    /** Declares more bytes than it sends, like a connection cut mid-body. */
    TRUNCATED,
    /**
     * A storable PNG with headers of the exchange that drew it ({@code Authorization}, {@code
     * X-Request-Id}, {@code X-Secret}), validators of its own ({@code ETag}, {@code
     * Last-Modified}) and presentation headers ({@code Expires}, {@code Content-Disposition}).
     */
    EXTRA_HEADERS,
    /** An SVG with a script in it, cacheable for a year by its headers. */
    SVG,
    /** The PNG padded to {@link #LARGE_BYTES}, the same bytes for the same prompt. */
    LARGE
  }

  /** The size of a {@link Mode#LARGE} answer: a 20 MiB image. */
  public static final int LARGE_BYTES = 20 * 1024 * 1024;

  /** The SVG that {@link Mode#SVG} serves. */
  public static final String SVG_WITH_SCRIPT =
      "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>";

  private volatile Mode mode = Mode.NORMAL;

  public TestOrigin(long delayMillis) {
    super(delayMillis);
  }

  public void mode(Mode mode) {
    this.mode = mode;
  }

  @Override
  protected void respond(HttpServletRequest request, HttpServletResponse response, byte[] png)
      throws IOException {
    switch (mode) {
      case NORMAL -> super.respond(request, response, png);
      case SERVER_ERROR -> {
        response.setStatus(500);
        response.setContentType("text/plain");
        response.getOutputStream().write("generator crashed".getBytes(StandardCharsets.UTF_8));
      }
      case PRIVATE -> {
        response.setContentType("image/png");
        response.setHeader("Cache-Control", "private, max-age=60");
        response.setContentLength(png.length);
        response.getOutputStream().write(png);
      }
      case NOT_AN_IMAGE -> {
        response.setContentType("application/json");
        response.getOutputStream().write("{\"queued\":true}".getBytes(StandardCharsets.UTF_8));
      }
      case CHUNKED -> {
        response.setContentType("image/png");
        int half = png.length / 2;
        response.getOutputStream().write(png, 0, half);
        response.flushBuffer();
        response.getOutputStream().write(png, half, png.length - half);
      }
      case TRUNCATED -> {
        response.setContentType("image/png");
        response.setContentLength(png.length + 100);
        response.getOutputStream().write(png);
        response.flushBuffer();
        throw new IOException("origin connection cut");
      }
      case EXTRA_HEADERS -> {
        response.setContentType("image/png");
        response.setHeader("Cache-Control", "public, max-age=31536000, immutable");
        response.setHeader("Expires", "Thu, 01 Jan 2037 00:00:00 GMT");
        response.setHeader("Content-Disposition", "inline; filename=\"image.png\"");
        response.setHeader("Authorization", "Bearer origin-token");
        response.setHeader("X-Request-Id", "req-" + calls());
        response.setHeader("X-Secret", "s3cr3t");
        response.setHeader("ETag", "\"origin-etag\"");
        response.setHeader("Last-Modified", "Thu, 01 Jan 2015 00:00:00 GMT");
        response.setContentLength(png.length);
        response.getOutputStream().write(png);
      }
      case SVG -> {
        byte[] svg = SVG_WITH_SCRIPT.getBytes(StandardCharsets.UTF_8);
        response.setContentType("image/svg+xml");
        response.setHeader("Cache-Control", "public, max-age=31536000, immutable");
        response.setContentLength(svg.length);
        response.getOutputStream().write(svg);
      }
      case LARGE -> {
        byte[] large = java.util.Arrays.copyOf(png, LARGE_BYTES);
        response.setContentType("image/png");
        response.setContentLength(large.length);
        response.getOutputStream().write(large);
      }
      default -> throw new IllegalStateException(mode.toString());
    }
  }
}
