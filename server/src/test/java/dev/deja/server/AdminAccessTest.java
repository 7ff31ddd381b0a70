package dev.deja.server;

import static dev.deja.server.TestServers.get;
import static dev.deja.server.TestServers.send;
import static dev.deja.server.TestServers.text;
import static dev.deja.server.TestServers.uri;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Without --admin-token mutations are off; --public-explain opens explain and stats. */
class AdminAccessTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(AdminAccessTest.class);
  static DejaServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(SCHEMA, "--public-explain", "--admin-prefix", "/admin/deja");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
    SCHEMA.drop();
  }

  @Test
  void mutations_areOff_withoutAConfiguredToken() throws Exception {
    HttpResponse<byte[]> purge =
        send(server, HttpRequest.newBuilder(uri(server, "/admin/deja/purge?model=flux"))
            .header("Authorization", "Bearer anything-at-all-0000")
            .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(403, purge.statusCode());
    assertTrue(text(purge).contains("--admin-token"), text(purge));
    HttpResponse<byte[]> delete =
        send(server, HttpRequest.newBuilder(uri(server, "/admin/deja/entries/abc")).DELETE());
    assertEquals(403, delete.statusCode());
  }

  @Test
  void publicExplain_opensExplainAndStats_atTheConfiguredPrefix() throws Exception {
    HttpResponse<byte[]> explain = get(server, "/admin/deja/explain?prompt=a%20red%20fox&seed=1");
    assertEquals(200, explain.statusCode(), text(explain));
    assertTrue(text(explain).contains("\"verdict\":\"miss\""), text(explain));
    assertEquals(200, get(server, "/admin/deja/stats").statusCode());
    assertEquals(404, get(server, "/_deja/health").statusCode(), "the default prefix is not served");
  }
}
