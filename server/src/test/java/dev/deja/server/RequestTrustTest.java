package dev.deja.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import dev.deja.filter.demo.DemoOriginServlet;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request Deja keys is exactly the request the origin receives. The real gateway runs in
 * front of an origin that records every request target byte for byte and draws a picture of
 * exactly that target, so a test can tell which request any served image was drawn for.
 */
class RequestTrustTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(RequestTrustTest.class);
  static final String VICTIM = "/prompt/a%20red%20sports%20car";
  static RecordingOrigin origin;
  static DejaServer server;

  @BeforeAll
  static void start() throws Exception {
    origin = RecordingOrigin.start();
    TestDatabase.Settings db = TestDatabase.settings();
    server =
        Main.start(
            new String[] {
              "--host", "127.0.0.1",
              "--port", "0",
              "--origin", origin.url(),
              "--db-url", db.url(),
              "--db-user", db.user(),
              "--db-password", db.password(),
              "--db-schema", SCHEMA.name(),
              "--eviction-interval", "1h",
              "--shutdown-timeout", "10s"
            });
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
    if (origin != null) {
      origin.stop();
    }
    SCHEMA.drop();
  }

  // --- dot segments ------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} (victim ?{1})")
  @CsvSource(
      delimiter = '|',
      value = {
        "/prompt/a%20red%20sports%20car/../x?seed=104 | seed=104",
        "/prompt/a%20red%20sports%20car/../x | ''",
        "/prompt/a%20red%20sports%20car/%2e%2e/x?seed=105 | seed=105",
        "/prompt/a%20red%20sports%20car/%2E./x?seed=106 | seed=106",
        "/prompt/a%20red%20sports%20car%2F..%2Fx?seed=107 | seed=107",
        "/prompt/a%20red%20sports%20car/./x?seed=108 | seed=108",
        "/prompt/a%20red%20sports%20car/..;/x?seed=109 | seed=109",
        "/prompt/a%20red%20sports%20car%5C..%5Cx?seed=110 | seed=110",
        // attack15, against the hand-written dot-segment scan: still encoded after one decoding
        // (an origin that decodes twice), mixed, and behind a backslash.
        "/prompt/a%20red%20sports%20car/%252e%252E/x?seed=111 | seed=111",
        "/prompt/a%20red%20sports%20car/.%252e/x?seed=112 | seed=112",
        "/prompt/a%20red%20sports%20car%5C%252e%5Cx?seed=113 | seed=113",
      })
  void aDotSegmentNeverMakesARedSportsCarServeTheAttackersImage(String attack, String seed)
      throws Exception {
    HttpResponse<byte[]> attacked = get(attack);
    String attackKey = attacked.headers().firstValue("X-Cache-Key").orElse(null);
    if (attackKey != null) {
      // Whatever was filed, let it land before the victim asks.
      awaitStored(attackKey);
    }

    String victim = VICTIM + (seed.isEmpty() ? "" : "?" + seed);
    HttpResponse<byte[]> first = get(victim);
    assertEquals(200, first.statusCode());
    assertEquals("MISS", first.headers().firstValue("X-Cache").orElse(null),
        "neither an exact nor a semantic hit on what the attack filed");
    assertArrayEquals(origin.drawing(victim), first.body(), "the victim's own picture");
    awaitStored(first.headers().firstValue("X-Cache-Key").orElseThrow());
    HttpResponse<byte[]> again = get(victim);
    assertEquals("HIT", again.headers().firstValue("X-Cache").orElse(null));
    assertArrayEquals(origin.drawing(victim), again.body());

    // The attack itself: refused by Jetty, or passed on uncached and untouched.
    assertNotEquals(502, attacked.statusCode());
    if (attacked.statusCode() == 200) {
      assertTrue(origin.received(attack), "forwarded verbatim: " + origin.targets());
      assertEquals(
          "deja; fwd=bypass; detail=" + (attack.contains(";") ? "path-parameter" : "dot-segment"),
          attacked.headers().firstValue("Cache-Status").orElse(null));
    } else {
      assertEquals(400, attacked.statusCode());
      assertFalse(origin.received(attack));
    }
    assertEquals(null, attackKey, "never keyed");
    assertEquals(List.of("a red sports car"), storedPromptsLike("%sports car%").stream().distinct().toList(),
        "nothing is filed under a prompt the origin did not draw");
  }

  // --- where the prompt is -----------------------------------------------------------------

  @Test
  void aPromptInTheQueryAndTheSamePromptInThePathAreTwoRequests() throws Exception {
    String inQuery = "/prompt/?prompt=a%20paper%20boat&seed=7";
    String inPath = "/prompt/a%20paper%20boat?seed=7";

    HttpResponse<byte[]> query = get(inQuery);
    awaitStored(query.headers().firstValue("X-Cache-Key").orElseThrow());
    HttpResponse<byte[]> path = get(inPath);

    assertEquals("MISS", path.headers().firstValue("X-Cache").orElse(null));
    assertArrayEquals(origin.drawing(inPath), path.body());
    assertTrue(origin.received(inQuery) && origin.received(inPath), origin.targets().toString());
    assertNotEquals(header(query, "X-Cache-Key"), header(path, "X-Cache-Key"));
    assertNotEquals(header(query, "X-Semantic-Bucket"), header(path, "X-Semantic-Bucket"));
    assertEquals("1024x1024_seed7", header(path, "X-Semantic-Bucket"), "path-style bucket as before");
  }

  // --- parameters the origin may read otherwise ---------------------------------------------

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/prompt/a%20kite%20over%20a%20dune?seed=1&seed=2, repeated-param",
    "/prompt/a%20kite%20over%20a%20dune?seed=07, non-canonical-seed",
    "/prompt/a%20kite%20over%20a%20dune?seed=%2B7, non-canonical-seed",
    "/prompt/a%20kite%20over%20a%20dune?seed=7&width=0512, non-canonical-width",
  })
  void aParameterTheOriginMayReadAnotherWayIsPassedOnVerbatimAndNeverKeyed(
      String target, String reason) throws Exception {
    HttpResponse<byte[]> first = get(target);
    assertEquals(200, first.statusCode());
    assertEquals("deja; fwd=bypass; detail=" + reason, header(first, "Cache-Status"));
    assertEquals(null, header(first, "X-Cache-Key"), "never keyed");
    assertArrayEquals(origin.drawing(target), first.body(), "drawn for exactly this target");

    HttpResponse<byte[]> second = get(target);
    assertEquals("BYPASS", header(second, "X-Cache"), "never served from the cache");
    assertEquals(List.of(target, target), origin.targetsMatching(target), "forwarded verbatim");
  }

  // --- '/' and '%' in prompts --------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "/prompt/a%20portrait%20at%20f%2F1.8?seed=3",
        "/prompt/1%2F4%20of%20a%20pie?seed=3",
        "/prompt/a%20100%25%20cotton%20shirt?seed=3",
        "/prompt/a%20street%20shot%20at%20f/2.8?seed=3",
      })
  void promptsWithSlashesAndPercentSignsAreCachedAndForwardedStillEncoded(String target)
      throws Exception {
    HttpResponse<byte[]> miss = get(target);
    assertEquals(200, miss.statusCode(), TestServers.text(miss));
    assertEquals("MISS", header(miss, "X-Cache"));
    assertEquals(List.of(target), origin.targetsMatching(target), "received exactly as sent");
    awaitStored(header(miss, "X-Cache-Key"));

    HttpResponse<byte[]> hit = get(target);
    assertEquals("HIT", header(hit, "X-Cache"));
    assertEquals("exact", header(hit, "X-Cache-Type"));
    assertArrayEquals(origin.drawing(target), hit.body());
    assertEquals(1, origin.targetsMatching(target).size());
  }

  @Test
  void theKeyDecodesTheEncodedSlashOnce() throws Exception {
    HttpResponse<byte[]> miss = get("/prompt/lens%20at%20f%2F1.8?seed=4");
    awaitStored(header(miss, "X-Cache-Key"));
    assertEquals(
        List.of("lens at f/1.8"), storedPromptsLike("lens at f%"), "decoded once: not f%2F1.8");
  }

  // --- long prompts ------------------------------------------------------------------------

  @Test
  void aPromptOfMaxPromptCharsIsCachedEvenWhenEveryCharacterNeedsNineBytesEncoded()
      throws Exception {
    int max = server.cache().config().rules().maxPromptChars();
    String target = "/prompt/" + "%E6%97%A5".repeat(max) + "?seed=8192&width=512&height=512";

    HttpResponse<byte[]> miss = get(target);
    assertEquals(200, miss.statusCode());
    assertEquals("MISS", header(miss, "X-Cache"));
    assertTrue(origin.received(target));
    awaitStored(header(miss, "X-Cache-Key"));

    HttpResponse<byte[]> hit = get(target);
    assertEquals("HIT", header(hit, "X-Cache"));
    assertArrayEquals(origin.drawing(target), hit.body());
  }

  @Test
  void aLongerPromptIsPassedOnUncachedAndAFarLongerOneIsRefusedClearlyNeverWithA502()
      throws Exception {
    int max = server.cache().config().rules().maxPromptChars();
    String longer = "/prompt/" + "%E6%97%A5".repeat(max + 1) + "?seed=8193";
    HttpResponse<byte[]> bypass = get(longer);
    assertEquals(200, bypass.statusCode());
    assertEquals("deja; fwd=bypass; detail=prompt-too-long", header(bypass, "Cache-Status"));
    assertTrue(origin.received(longer));

    String farLonger = "/prompt/" + "%E6%97%A5".repeat(3 * max) + "?seed=8194";
    HttpResponse<byte[]> refused = get(farLonger);
    assertEquals(414, refused.statusCode(), "URI too long, from the gateway itself");
    assertFalse(origin.received(farLonger));
  }

  // --- helpers -----------------------------------------------------------------------------

  private static HttpResponse<byte[]> get(String target) throws Exception {
    // java.net.http sends the target's raw path and query as given: no normalization.
    return TestServers.send(server, HttpRequest.newBuilder(TestServers.uri(server, target)).GET());
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  private static void awaitStored(String key) throws InterruptedException {
    TestServers.await("store of " + key, Duration.ofSeconds(20),
        () -> server.cache().store().findExact(key).isPresent());
  }

  /** Prompts of every stored entry and alias matching a SQL LIKE pattern, sorted. */
  private static List<String> storedPromptsLike(String pattern) throws Exception {
    TestServers.await("the store queue to empty", Duration.ofSeconds(20),
        () -> server.cache().storeQueueDepth() == 0);
    List<String> prompts = new ArrayList<>();
    try (Connection c = TestDatabase.connect();
        Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + SCHEMA.name());
      try (var q = c.prepareStatement(
          "SELECT prompt FROM cache_entry WHERE prompt LIKE ? ORDER BY prompt")) {
        q.setString(1, pattern);
        try (ResultSet r = q.executeQuery()) {
          while (r.next()) {
            prompts.add(r.getString(1));
          }
        }
      }
    }
    return prompts;
  }

  /**
   * An origin that records each request target exactly as it arrived (it accepts any URI, so it
   * sees what the gateway sends, not what a strict server would let through) and answers a PNG
   * drawn from that target alone.
   */
  static final class RecordingOrigin {
    private final Server server;
    private final Queue<String> targets = new ConcurrentLinkedQueue<>();

    private RecordingOrigin(Server server) {
      this.server = server;
    }

    static RecordingOrigin start() throws Exception {
      Server server = new Server();
      HttpConfiguration http = new HttpConfiguration();
      http.setUriCompliance(UriCompliance.UNSAFE);
      http.setRequestHeaderSize(1 << 20);
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      RecordingOrigin origin = new RecordingOrigin(server);
      server.setHandler(
          new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
              String target = request.getHttpURI().getPathQuery();
              origin.targets.add(target);
              response.getHeaders().put("Content-Type", "image/png");
              response.getHeaders().put("Cache-Control", "public, max-age=31536000, immutable");
              response.write(true, ByteBuffer.wrap(drawing(target)), callback);
              return true;
            }
          });
      server.start();
      return origin;
    }

    /** The picture this origin draws for a request target. */
    static byte[] drawing(String target) {
      return DemoOriginServlet.render(target, 16, 16);
    }

    String url() {
      return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    boolean received(String target) {
      return targets.contains(target);
    }

    List<String> targetsMatching(String target) {
      return targets.stream().filter(target::equals).toList();
    }

    List<String> targets() {
      return List.copyOf(targets);
    }

    void stop() throws Exception {
      server.stop();
    }
  }
}
