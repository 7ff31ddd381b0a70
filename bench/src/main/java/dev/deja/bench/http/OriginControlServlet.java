package dev.deja.bench.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deja.filter.demo.DemoOriginServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The control endpoints of a bench origin, mounted at {@code /_origin/*}: {@code delay?ms=N} sets
 * the demo origin's delay (so caches can be filled quickly before a measurement), and each report
 * answers its value: a number or text as one plain line, anything else as JSON. GET and POST alike.
 */
public final class OriginControlServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final transient DemoOriginServlet origin;
  private final transient Map<String, Supplier<?>> reports;

  /**
   * @param origin the origin whose delay {@code /delay} sets
   * @param reports read-only endpoints by path, e.g. {@code /calls}
   */
  public OriginControlServlet(DemoOriginServlet origin, Map<String, Supplier<?>> reports) {
    this.origin = origin;
    this.reports = Map.copyOf(reports);
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    doPost(req, resp);
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = String.valueOf(req.getPathInfo());
    Supplier<?> report = reports.get(path);
    if ("/delay".equals(path) && req.getParameter("ms") != null) {
      origin.setDelayMillis(Long.parseLong(req.getParameter("ms")));
      text(resp, "ok");
    } else if (report == null) {
      resp.sendError(404);
    } else {
      Object value = report.get();
      if (value instanceof Number || value instanceof CharSequence) {
        text(resp, value.toString());
      } else {
        resp.setContentType("application/json");
        JSON.writeValue(resp.getOutputStream(), value);
      }
    }
  }

  private static void text(HttpServletResponse resp, String line) throws IOException {
    resp.setContentType("text/plain");
    resp.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
