package dev.deja.server;

import static dev.deja.server.TestServers.TOKEN;
import static dev.deja.server.TestServers.await;
import static dev.deja.server.TestServers.get;
import static dev.deja.server.TestServers.imagePath;
import static dev.deja.server.TestServers.send;
import static dev.deja.server.TestServers.text;
import static dev.deja.server.TestServers.uri;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deja.db.testing.TestDatabase;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The standalone server over real HTTP: filter in front of the proxy, demo origin, admin API. */
class ServerEndToEndTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(ServerEndToEndTest.class);
  static final ObjectMapper JSON = new ObjectMapper();
  static DejaServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(SCHEMA, "--admin-token", TOKEN);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
    SCHEMA.drop();
  }

  private static long originCalls() {
    return server.demoOrigin().calls();
  }

  /** Waits until the background store wrote {@code key} to the database. */
  private static void awaitStored(String key) throws InterruptedException {
    await("store of " + key, Duration.ofSeconds(20),
        () -> server.cache().store().findExact(key).isPresent());
  }

  @Test
  void missThroughTheProxy_isStored_andTheNextRequestIsAnExactHitWithoutTheOrigin()
      throws Exception {
    String path = imagePath("a lighthouse on a cliff at dawn", "seed=7&width=64&height=64");
    long before = originCalls();

    HttpResponse<byte[]> miss = get(server, path);
    assertEquals(200, miss.statusCode());
    assertEquals("MISS", miss.headers().firstValue("X-Cache").orElse(null));
    assertEquals("image/png", miss.headers().firstValue("Content-Type").orElse(null));
    assertTrue(miss.headers().firstValue("Cache-Status").orElse("").contains("stored"));
    String key = miss.headers().firstValue("X-Cache-Key").orElseThrow();
    awaitStored(key);

    HttpResponse<byte[]> hit = get(server, path);
    assertEquals(200, hit.statusCode());
    assertEquals("HIT", hit.headers().firstValue("X-Cache").orElse(null));
    assertEquals("exact", hit.headers().firstValue("X-Cache-Type").orElse(null));
    assertArrayEquals(miss.body(), hit.body());
    assertEquals(before + 1, originCalls(), "the origin is called once");

    // From the database too, not only the in-memory tier.
    server.cache().invalidateAll();
    HttpResponse<byte[]> fromDb = get(server, path);
    assertEquals("HIT", fromDb.headers().firstValue("X-Cache").orElse(null));
    assertEquals(before + 1, originCalls());
  }

  @Test
  void paraphrase_isASemanticHit_andExplainShowsTheNeighbour() throws Exception {
    String query = "seed=42&width=64&height=64";
    HttpResponse<byte[]> first =
        get(server, imagePath("a cozy wooden cabin in a snowy forest at night", query));
    assertEquals("MISS", first.headers().firstValue("X-Cache").orElse(null));
    String cachedKey = first.headers().firstValue("X-Cache-Key").orElseThrow();
    awaitStored(cachedKey);
    long calls = originCalls();

    String paraphrase = "A cozy wooden cabin in a snowy forest at night, highly detailed";
    JsonNode explain =
        JSON.readTree(
            text(
                send(
                    server,
                    HttpRequest.newBuilder(
                            uri(
                                server,
                                "/_deja/explain?prompt="
                                    + URLEncoder.encode(paraphrase, StandardCharsets.UTF_8)
                                    + "&" + query))
                        .header("Authorization", "Bearer " + TOKEN))));
    assertEquals("semantic-hit", explain.get("verdict").asText(), explain.toString());
    JsonNode nearest = explain.get("neighbours").get(0);
    assertEquals(cachedKey, nearest.get("key").asText());
    assertTrue(nearest.get("accepted").asBoolean());
    assertEquals("ok", nearest.get("reason").asText());
    assertTrue(nearest.get("similarity").asDouble() >= explain.get("threshold").asDouble());

    HttpResponse<byte[]> hit = get(server, imagePath(paraphrase, query));
    assertEquals("HIT", hit.headers().firstValue("X-Cache").orElse(null));
    assertEquals("semantic", hit.headers().firstValue("X-Cache-Type").orElse(null));
    assertEquals(cachedKey, hit.headers().firstValue("X-Semantic-Matched-Key").orElse(null));
    assertArrayEquals(first.body(), hit.body());
    assertEquals(calls, originCalls(), "a semantic hit never calls the origin");
  }

  @Test
  void explain_withoutToken_isRefused_unlessPublic() throws Exception {
    HttpResponse<byte[]> r = get(server, "/_deja/explain?prompt=x");
    assertEquals(401, r.statusCode());
  }

  @Test
  void healthAndReadiness_arePublic() throws Exception {
    HttpResponse<byte[]> live = get(server, "/_deja/health");
    assertEquals(200, live.statusCode());
    assertEquals("UP", JSON.readTree(live.body()).get("status").asText());
    HttpResponse<byte[]> ready = get(server, "/_deja/health/ready");
    assertEquals(200, ready.statusCode(), text(ready));
    assertEquals("UP", JSON.readTree(ready.body()).at("/checks/database").asText());
  }

  @Test
  void metrics_countRequestsByStatusAndType() throws Exception {
    String path = imagePath("a bowl of ramen, studio photo", "seed=3&width=32&height=32");
    get(server, path);
    get(server, path);
    String metrics = text(get(server, "/_deja/metrics"));
    assertTrue(metrics.contains("deja_requests_total{status=\"miss\",type=\"none\"}"), metrics);
    assertTrue(metrics.contains("deja_requests_total{status=\"hit\",type=\"exact\"}"), metrics);
    assertTrue(metrics.contains("deja_cache_entries"), metrics);
    assertTrue(metrics.contains("deja_store_queue_depth"), metrics);
    assertTrue(metrics.contains("deja_lookup_seconds_bucket"), metrics);
  }

  @Test
  void stats_withToken_reportsSizeAndModel() throws Exception {
    HttpResponse<byte[]> r =
        send(server, HttpRequest.newBuilder(uri(server, "/_deja/stats"))
            .header("Authorization", "Bearer " + TOKEN));
    assertEquals(200, r.statusCode());
    JsonNode stats = JSON.readTree(r.body());
    assertNotNull(stats.get("entries"));
    assertEquals("CLOSED", stats.get("breaker").asText());
    assertTrue(stats.get("model").asText().startsWith("bge-small"));
  }

  @Test
  void purge_needsTheToken_andEmptiesTheMatchingEntries() throws Exception {
    String path = imagePath("a purple teapot", "seed=9&width=48&height=48&model=turbo");
    HttpResponse<byte[]> miss = get(server, path);
    awaitStored(miss.headers().firstValue("X-Cache-Key").orElseThrow());

    HttpResponse<byte[]> noToken =
        send(server, HttpRequest.newBuilder(uri(server, "/_deja/purge?model=turbo"))
            .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(401, noToken.statusCode());
    HttpResponse<byte[]> wrongToken =
        send(server, HttpRequest.newBuilder(uri(server, "/_deja/purge?model=turbo"))
            .header("Authorization", "Bearer " + TOKEN + "x")
            .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(401, wrongToken.statusCode());
    HttpResponse<byte[]> noCriteria =
        send(server, HttpRequest.newBuilder(uri(server, "/_deja/purge"))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(400, noCriteria.statusCode());

    HttpResponse<byte[]> purged =
        send(server, HttpRequest.newBuilder(uri(server, "/_deja/purge?model=turbo"))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, purged.statusCode(), text(purged));
    assertEquals(1, JSON.readTree(purged.body()).get("deleted").asInt());
    assertEquals("MISS", get(server, path).headers().firstValue("X-Cache").orElse(null));
  }

  @Test
  void deleteEntry_makesTheNextRequestAMiss() throws Exception {
    String path = imagePath("an origami crane on a desk", "seed=5&width=40&height=40");
    HttpResponse<byte[]> miss = get(server, path);
    String key = miss.headers().firstValue("X-Cache-Key").orElseThrow();
    awaitStored(key);
    assertEquals("HIT", get(server, path).headers().firstValue("X-Cache").orElse(null));

    HttpResponse<byte[]> noToken =
        send(server, HttpRequest.newBuilder(uri(server, "/_deja/entries/" + key)).DELETE());
    assertEquals(401, noToken.statusCode());
    HttpResponse<byte[]> deleted =
        send(server, HttpRequest.newBuilder(uri(server, "/_deja/entries/" + key))
            .header("Authorization", "Bearer " + TOKEN).DELETE());
    assertEquals(200, deleted.statusCode(), text(deleted));
    assertFalse(server.cache().store().findExact(key).isPresent());
    assertEquals("MISS", get(server, path).headers().firstValue("X-Cache").orElse(null));
  }

  @Test
  void headMissThroughTheProxy_stillCarriesDejaHeaders() throws Exception {
    HttpResponse<byte[]> head = TestServers.send(server,
        HttpRequest.newBuilder(uri(server, TestServers.imagePath("a head-only lantern",
            "seed=5&width=64&height=64"))).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, head.statusCode());
    assertEquals("MISS", head.headers().firstValue("X-Cache").orElse(""));
    assertTrue(head.headers().firstValue("Cache-Status").orElse("").startsWith("deja; fwd="));
  }

  @Test
  void unknownAdminPath_is404() throws Exception {
    assertEquals(404, get(server, "/_deja/nope").statusCode());
  }
}
