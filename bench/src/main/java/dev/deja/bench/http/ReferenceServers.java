package dev.deja.bench.http;

import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/**
 * The references of the HTTP benchmark in one JVM, on loopback: the demo origin answering padded
 * images after a delay ({@code /prompt/*}, the miss reference and what Deja and nginx forward
 * to), and the in-memory ceiling on its own port. The origin's delay can be changed while running
 * ({@code POST /_origin/delay?ms=N}) so caches can be filled quickly before a measurement.
 *
 * <p>{@code ReferenceServers <originPort> <ceilingPort> <delayMs> [imageBytes]}; prints {@code
 * READY origin=<port> ceiling=<port>} once both listen, and runs until killed.
 */
public final class ReferenceServers implements AutoCloseable {

  private final Server origin;
  private final Server ceiling;
  private final PaddedOriginServlet originServlet;

  private ReferenceServers(int originPort, int ceilingPort, long delayMs, int imageBytes)
      throws Exception {
    originServlet = new PaddedOriginServlet(delayMs, imageBytes);
    ServletContextHandler originContext = Jetty.context("/prompt/*", originServlet);
    originContext.addServlet(new ServletHolder(
        new OriginControlServlet(originServlet, Map.of("/calls", originServlet::calls))), "/_origin/*");
    // Every in-flight request sleeps in a thread: room for 64 connections per client, twice.
    origin = Jetty.server(originPort, 400, originContext);
    ceiling = Jetty.server(ceilingPort, 200, Jetty.context("/prompt/*", new CeilingServlet(imageBytes)));
    origin.start();
    ceiling.start();
  }

  /** Starts both servers; ports 0 pick free ones. */
  public static ReferenceServers start(int originPort, int ceilingPort, long delayMs, int imageBytes)
      throws Exception {
    return new ReferenceServers(originPort, ceilingPort, delayMs, imageBytes);
  }

  public int originPort() {
    return Jetty.port(origin);
  }

  public int ceilingPort() {
    return Jetty.port(ceiling);
  }

  public long originCalls() {
    return originServlet.calls();
  }

  @Override
  public void close() throws Exception {
    ceiling.stop();
    origin.stop();
  }

  public static void main(String[] args) throws Exception {
    int originPort = Integer.parseInt(args[0]);
    int ceilingPort = Integer.parseInt(args[1]);
    long delay = Long.parseLong(args[2]);
    int bytes = args.length > 3 ? Integer.parseInt(args[3]) : BenchImages.DEFAULT_IMAGE_BYTES;
    ReferenceServers servers = start(originPort, ceilingPort, delay, bytes);
    System.out.println("READY origin=" + servers.originPort() + " ceiling=" + servers.ceilingPort());
    System.out.flush();
    servers.origin.join();
  }
}
