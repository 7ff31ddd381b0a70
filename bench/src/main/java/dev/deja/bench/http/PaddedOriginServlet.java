package dev.deja.bench.http;

import dev.deja.filter.demo.DemoOriginServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The demo origin (same delay, same headers) answering {@link BenchImages}' padded PNGs. */
final class PaddedOriginServlet extends DemoOriginServlet {

  private static final long serialVersionUID = 1L;
  private final int imageBytes;

  PaddedOriginServlet(long delayMillis, int imageBytes) {
    super(delayMillis);
    this.imageBytes = imageBytes;
  }

  @Override
  protected void respond(HttpServletRequest request, HttpServletResponse response, byte[] png)
      throws IOException {
    super.respond(request, response, BenchImages.image(request, imageBytes));
  }
}
