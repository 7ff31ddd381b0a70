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
    TRUNCATED
  }

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
      default -> throw new IllegalStateException(mode.toString());
    }
  }
}
