package dev.deja.db.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay in front of the test database, so a test can cut the network to a real
 * PostgreSQL (connections reset, new ones refused), make it go silent (bytes swallowed, like a
 * hung server) and restore it, without stopping the database other tests share. It also counts
 * round trips ({@link #clientBursts}).
 */
public final class TcpRelay implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;
  private volatile boolean silent;
  private final AtomicLong clientBursts = new AtomicLong();

  /** A relay in front of the test database ({@link TestDatabase#settings()}). */
  public static TcpRelay toTestDatabase() throws IOException {
    URI target = testDatabase();
    return new TcpRelay(target.getHost(), target.getPort());
  }

  /** The test database's JDBC URL through this relay. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + testDatabase().getPath();
  }

  private static URI testDatabase() {
    return URI.create(TestDatabase.settings().url().substring("jdbc:".length()));
  }

  public TcpRelay(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    ServerSocket first = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.port = first.getLocalPort();
    listen(first);
  }

  public int port() {
    return port;
  }

  /**
   * How many times, over all relayed connections, the client started sending after the server had
   * answered (or on a new connection): one per round trip, however many messages or TCP segments
   * the client's turn took.
   */
  public long clientBursts() {
    return clientBursts.get();
  }

  /** From now on nothing is forwarded in either direction: a hung server or network. */
  public void goSilent() {
    silent = true;
  }

  /** Resets every connection and refuses new ones. */
  public synchronized void cut() throws IOException {
    ServerSocket s = server;
    server = null;
    if (s != null) {
      s.close();
    }
    for (Socket socket : sockets) {
      socket.close();
    }
    sockets.clear();
  }

  /** Accepts and forwards again, on the same port. */
  public synchronized void restore() throws IOException {
    silent = false;
    if (server == null) {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      listen(s);
    }
  }

  private void listen(ServerSocket s) {
    server = s;
    Thread acceptor =
        new Thread(
            () -> {
              while (!s.isClosed()) {
                try {
                  Socket client = s.accept();
                  Socket upstream = new Socket(targetHost, targetPort);
                  sockets.add(client);
                  sockets.add(upstream);
                  // Whose turn it was last on this connection: a client chunk after a server
                  // chunk (or first) opens a new burst.
                  AtomicBoolean serverSpokeLast = new AtomicBoolean(true);
                  pump(client, upstream, () -> {
                    if (serverSpokeLast.getAndSet(false)) {
                      clientBursts.incrementAndGet();
                    }
                  });
                  pump(upstream, client, () -> serverSpokeLast.set(true));
                } catch (IOException e) {
                  return;
                }
              }
            },
            "tcp-relay-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void pump(Socket from, Socket to, Runnable onChunk) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  if (!silent) {
                    onChunk.run();
                    out.write(buffer, 0, n);
                    out.flush();
                  }
                }
              } catch (IOException e) {
                // connection cut: fall through and close both sides
              } finally {
                try {
                  from.close();
                  to.close();
                } catch (IOException ignored) {
                  // already closed
                }
              }
            },
            "tcp-relay-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    cut();
  }
}
