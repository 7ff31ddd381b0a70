package dev.deja.filter.testing;

import dev.deja.filter.DejaFilter;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A filter-only application: Jetty, its image servlet, and {@link DejaFilter} configured by
 * init-params alone, as a {@code web.xml} would. No gateway, no admin API: what the cache does
 * here it does by itself.
 */
public final class InitParamApp implements AutoCloseable {

  public final DejaFilter filter = new DejaFilter();
  public final TestOrigin origin = new TestOrigin(0);
  private final Server server = new Server();
  private final URI base;
  private final HttpClient client = HttpClient.newHttpClient();

  public InitParamApp(Map<String, String> initParams) throws Exception {
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder holder = new FilterHolder(filter);
    initParams.forEach(holder::setInitParameter);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(origin), "/prompt/*");
    server.setHandler(context);
    server.start();
    base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  public HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
    return client.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Override
  public void close() throws Exception {
    server.stop(); // destroys the filter, which closes the cache it opened
  }
}
