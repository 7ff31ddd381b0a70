package dev.deja.server;

import dev.deja.db.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Starts the real server in-process on a free port, against a test class's own schema. */
public final class TestServers {

  public static final String TOKEN = "test-admin-token-0123456789";
  public static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade dance: one request, one connection
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private TestServers() {}

  public static DejaServer start(TestDatabase.Schema schema, String... extra) {
    TestDatabase.Settings db = TestDatabase.settings();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--host", "127.0.0.1",
                "--port", "0",
                "--demo-origin",
                "--demo-delay-ms", "20",
                "--db-url", db.url(),
                "--db-user", db.user(),
                "--db-password", db.password(),
                "--db-schema", schema.name(),
                "--eviction-interval", "1h",
                "--shutdown-timeout", "10s"));
    args.addAll(List.of(extra));
    return Main.start(args.toArray(String[]::new));
  }

  public static String imagePath(String prompt, String query) {
    return "/prompt/" + URLEncoder.encode(prompt, StandardCharsets.UTF_8).replace("+", "%20")
        + "?" + query;
  }

  public static HttpResponse<byte[]> get(DejaServer server, String pathAndQuery)
      throws IOException, InterruptedException {
    return send(server, HttpRequest.newBuilder(uri(server, pathAndQuery)).GET());
  }

  public static HttpResponse<byte[]> send(DejaServer server, HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  public static URI uri(DejaServer server, String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
  }

  public static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /** Polls until {@code condition} holds or fails after {@code timeout}. */
  public static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
