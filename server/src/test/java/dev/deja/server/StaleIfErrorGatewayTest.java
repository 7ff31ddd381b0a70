package dev.deja.server;

import static dev.deja.server.TestServers.get;
import static dev.deja.server.TestServers.imagePath;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import dev.deja.filter.demo.DemoOriginServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * stale-if-error through the real proxy: the gateway's own 504 (origin timeout) and 502 (origin
 * unreachable) are origin failures too, answered with the request's recently expired entry.
 */
class StaleIfErrorGatewayTest {

  static final TestDatabase.Schema SCHEMA =
      TestDatabase.isolatedSchema(StaleIfErrorGatewayTest.class);

  /** Images that live one second; {@code hang} makes it never answer. */
  static final class ShortLivedOrigin extends HttpServlet {
    private static final long serialVersionUID = 1L;
    volatile boolean hang;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (hang) {
        try {
          Thread.sleep(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      byte[] png = DemoOriginServlet.render(req.getRequestURI(), 16, 16);
      resp.setContentType("image/png");
      resp.setHeader("Cache-Control", "public, max-age=1");
      resp.setContentLength(png.length);
      resp.getOutputStream().write(png);
    }
  }

  static Server originServer;
  static ShortLivedOrigin origin = new ShortLivedOrigin();
  static DejaServer server;

  @BeforeAll
  static void start() throws Exception {
    originServer = new Server();
    ServerConnector connector = new ServerConnector(originServer);
    connector.setHost("127.0.0.1");
    originServer.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(origin), "/*");
    originServer.setHandler(context);
    originServer.start();
    server =
        TestServers.start(
            SCHEMA,
            "--demo-origin", "false",
            "--origin", "http://127.0.0.1:" + connector.getLocalPort(),
            "--origin-timeout", "2s",
            "--connect-timeout", "1s",
            "--set", "semantic=false");
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
    if (originServer.isRunning()) {
      originServer.stop();
    }
    SCHEMA.drop();
  }

  private static byte[] storeAndExpire(String path) throws Exception {
    HttpResponse<byte[]> miss = get(server, path);
    String key = miss.headers().firstValue("X-Cache-Key").orElseThrow();
    TestServers.await("stored", Duration.ofSeconds(10),
        () -> server.cache().store().findExact(key).isPresent());
    Thread.sleep(1_600);
    return miss.body();
  }

  private static void assertStale(HttpResponse<byte[]> r, byte[] image, int originStatus) {
    assertEquals(200, r.statusCode(), r.headers().map().toString());
    assertArrayEquals(image, r.body());
    String status = r.headers().firstValue("Cache-Status").orElse("");
    assertTrue(status.startsWith("deja; fwd=stale; fwd-status=" + originStatus), status);
  }

  @Test
  void anOriginTimeoutIsAnsweredWithTheExpiredEntry_thenAnUnreachableOriginToo() throws Exception {
    String path = imagePath("a tide pool at noon", "seed=1&width=16&height=16");
    byte[] image = storeAndExpire(path);

    origin.hang = true;
    long started = System.nanoTime();
    assertStale(get(server, path), image, 504);
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(8).toNanos());

    originServer.stop(); // connection refused from now on
    assertStale(get(server, path), image, 502);
  }
}
