package dev.deja.bench.http;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory ceiling: a bare servlet answering the same bytes as the origin from a map, with no
 * cache logic at all (no keying, no database, no headers beyond the origin's). Whatever Deja's
 * exact hit costs beyond this is Deja's own work.
 */
final class CeilingServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final int MAX_ENTRIES = 100_000;

  private final int imageBytes;
  private final transient ConcurrentHashMap<String, byte[]> images = new ConcurrentHashMap<>();

  CeilingServlet(int imageBytes) {
    this.imageBytes = imageBytes;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String key = request.getRequestURI() + '?' + request.getQueryString();
    byte[] body = images.get(key);
    if (body == null) {
      body = BenchImages.image(request, imageBytes);
      if (images.size() < MAX_ENTRIES) {
        images.put(key, body);
      }
    }
    response.setStatus(200);
    response.setContentType("image/png");
    response.setHeader("Cache-Control", "public, max-age=31536000, immutable");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
