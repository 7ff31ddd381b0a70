package dev.deja.server;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Refuses {@code TRACE} under the admin prefix. The servlet API answers it by echoing the request's
 * headers, before and without any token check: the console's HttpOnly session cookie, a Bearer
 * token, and whatever a proxy in front adds would be handed back to the caller.
 */
final class NoTraceFilter extends HttpFilter {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    if ("TRACE".equalsIgnoreCase(req.getMethod())) {
      resp.setHeader("Allow", "GET, HEAD, POST, OPTIONS");
      resp.sendError(405);
      return;
    }
    chain.doFilter(req, resp);
  }
}
