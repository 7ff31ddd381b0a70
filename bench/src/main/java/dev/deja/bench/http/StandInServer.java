package dev.deja.bench.http;

import dev.deja.filter.DejaCache;
import dev.deja.filter.DejaFilter;
import dev.deja.filter.FilterSettings;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;

/**
 * A stand-in for the standalone server while it is being built: Jetty with {@link DejaFilter} in
 * front of a plain forwarding servlet to the origin, configured by the same {@link FilterSettings}
 * keys. The benchmark uses {@code server/target/deja-server.jar} instead whenever it exists.
 *
 * <p>{@code StandInServer <port> <originBaseUrl> key=value...} (e.g. {@code db.url=...
 * db.schema=...}); prints {@code READY port=<port>} and runs until killed.
 */
public final class StandInServer implements AutoCloseable {

  private final Server server;
  private final DejaCache cache;

  private StandInServer(int port, String origin, Map<String, String> settings) throws Exception {
    cache = FilterSettings.of(settings).open();
    ServletContextHandler context = Jetty.context("/*", new ForwardServlet(origin));
    context.addFilter(new FilterHolder(new DejaFilter(cache)), "/*",
        EnumSet.of(DispatcherType.REQUEST));
    server = Jetty.server(port, 400, context);
    server.start();
  }

  public static StandInServer start(int port, String origin, Map<String, String> settings)
      throws Exception {
    return new StandInServer(port, origin, settings);
  }

  public int port() {
    return Jetty.port(server);
  }

  @Override
  public void close() throws Exception {
    try {
      server.stop();
    } finally {
      cache.close();
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> settings = new LinkedHashMap<>();
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    StandInServer s = start(Integer.parseInt(args[0]), args[1], settings);
    System.out.println("READY port=" + s.port());
    System.out.flush();
    s.server.join();
  }

  /** Forwards GETs to the origin (blocking, HTTP/1.1) and copies status, type and body back. */
  private static final class ForwardServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final List<String> COPIED = List.of("Cache-Control", "ETag", "Last-Modified");
    private final String origin;
    private final transient HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    ForwardServlet(String origin) {
      this.origin = origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String query = req.getQueryString();
      URI uri = URI.create(origin + req.getRequestURI() + (query == null ? "" : "?" + query));
      HttpResponse<byte[]> answer;
      try {
        answer = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET()
            .build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        resp.sendError(502, "interrupted");
        return;
      } catch (IOException e) {
        resp.sendError(502, "origin: " + e.getMessage());
        return;
      }
      resp.setStatus(answer.statusCode());
      answer.headers().firstValue("Content-Type").ifPresent(resp::setContentType);
      for (String name : COPIED) {
        answer.headers().firstValue(name).ifPresent(v -> resp.setHeader(name, v));
      }
      resp.setContentLength(answer.body().length);
      resp.getOutputStream().write(answer.body());
    }
  }
}
