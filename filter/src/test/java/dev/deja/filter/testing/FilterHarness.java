package dev.deja.filter.testing;

import dev.deja.filter.DejaCache;
import dev.deja.filter.DejaFilter;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty on a free loopback port: the Deja filter in front of a {@link TestOrigin}, and an
 * HTTP client to talk to it.
 */
public final class FilterHarness implements AutoCloseable {

  private final Server server;
  private final URI base;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  public final TestOrigin origin;

  public FilterHarness(DejaCache cache, TestOrigin origin) throws Exception {
    this.origin = origin;
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addFilter(
        new FilterHolder(new DejaFilter(cache)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(origin), "/prompt/*");
    server.setHandler(context);
    server.start();
    base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  public URI uri(String pathAndQuery) {
    return base.resolve(pathAndQuery);
  }

  public HttpResponse<byte[]> get(String pathAndQuery, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  public HttpResponse<byte[]> send(HttpRequest request) throws Exception {
    return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  public HttpClient client() {
    return client;
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
