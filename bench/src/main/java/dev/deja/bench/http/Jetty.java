package dev.deja.bench.http;

import jakarta.servlet.http.HttpServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** A Jetty 12 server on loopback only, with one servlet context; the bench's only server shape. */
public final class Jetty {

  private Jetty() {}

  /** A started-later server whose context the caller fills; {@code port} 0 picks a free one. */
  public static Server server(int port, int maxThreads, ServletContextHandler context) {
    QueuedThreadPool pool = new QueuedThreadPool(maxThreads, 8);
    pool.setName("bench-" + port);
    Server server = new Server(pool);
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);
    server.setHandler(context);
    return server;
  }

  public static ServletContextHandler context(String pathSpec, HttpServlet servlet) {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(servlet), pathSpec);
    return context;
  }

  public static int port(Server server) {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }
}
