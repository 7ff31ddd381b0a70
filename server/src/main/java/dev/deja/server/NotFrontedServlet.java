package dev.deja.server;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Answers paths outside the cached routes with 404 when the gateway is told not to proxy them
 * ({@code --pass-through-other-paths=false}): a gateway should forward only what it fronts.
 */
final class NotFrontedServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.sendError(404, "not served by this gateway");
  }
}
