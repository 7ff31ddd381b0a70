package dev.deja.server.console;

import static dev.deja.server.TestServers.TOKEN;
import static dev.deja.server.TestServers.send;
import static dev.deja.server.TestServers.text;
import static dev.deja.server.TestServers.uri;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import dev.deja.server.DejaServer;
import dev.deja.server.TestServers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console against input chosen to break it (issue #16's attack round): each case was a 500,
 * a misleading error or a wrong record before its fix.
 */
class ConsoleHostileInputTest {

  static final TestDatabase.Schema SCHEMA =
      TestDatabase.isolatedSchema(ConsoleHostileInputTest.class);
  static final String UI = "/_deja/ui/";
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

  private static HttpResponse<byte[]> page(String pathAndQuery) throws Exception {
    return send(server, HttpRequest.newBuilder(uri(server, pathAndQuery))
        .header("Authorization", "Bearer " + TOKEN).GET());
  }

  @Test
  void entries_filteredByAnAgeOlderThanTimeItself_listEverything_insteadOfA500() throws Exception {
    HttpResponse<byte[]> r = page(UI + "entries?age=999999999999d");

    assertEquals(200, r.statusCode(), text(r));
    assertFalse(text(r).contains("Exception"), text(r));
    assertTrue(text(r).contains("value=\"999999999999d\""), "the filter form keeps the value");
  }

  @Test
  void aSearchWithANulCharacter_isReportedAsBadInput_notAsTheDatabaseBeingUnavailable()
      throws Exception {
    for (String path : new String[] {"entries?q=a%00b", "entries?bucket=%00", "audit?model=%00"}) {
      String html = text(page(UI + path));

      assertFalse(html.contains("unavailable"), path + ": " + html);
      assertTrue(html.contains("must not contain a NUL character"), path + ": " + html);
    }
  }

  @Test
  void trace_underTheAdminPrefix_isRefused_soNoSessionCookieOrTokenIsEchoedBack() throws Exception {
    for (String path : new String[] {UI, UI + "audit", "/_deja/feedback.tsv", "/_deja/stats"}) {
      HttpResponse<byte[]> r = send(server, HttpRequest.newBuilder(uri(server, path))
          .header("Cookie", ConsoleAccess.COOKIE + "=victims-session")
          .header("Authorization", "Bearer " + TOKEN)
          .method("TRACE", HttpRequest.BodyPublishers.noBody()));

      assertEquals(405, r.statusCode(), path);
      assertFalse(text(r).contains("victims-session") || text(r).contains(TOKEN), text(r));
    }
  }

  @Test
  void thePager_keepsAParameterWhoseNameHoldsAnAmpersand_asOneParameter() throws Exception {
    // Twenty-six entries, so the first page of 25 links to an older one.
    for (int i = 0; i < EntriesPage.PAGE_SIZE + 1; i++) {
      SemanticHits.awaitStored(server, TestServers.get(server, TestServers.imagePath(
          "pager entry " + i, "width=64&height=64")).headers().firstValue("X-Cache-Key")
          .orElseThrow());
    }

    String html = text(page(UI + "entries?q=pager&x%26page%3D7=1"));

    assertTrue(html.contains("x%26page%3D7=1&amp;page=1"), html);
    assertFalse(html.contains("x&amp;page=7"), "the name cannot smuggle in a second parameter");
  }
}
