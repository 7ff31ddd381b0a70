package dev.deja.server.console;

import static dev.deja.server.TestServers.TOKEN;
import static dev.deja.server.TestServers.get;
import static dev.deja.server.TestServers.send;
import static dev.deja.server.TestServers.text;
import static dev.deja.server.TestServers.uri;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import dev.deja.server.DejaServer;
import dev.deja.server.TestServers;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console over plain HTTP: login, cookie, CSRF, the verdict API, its export, hostile input. */
class ConsoleHttpTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(ConsoleHttpTest.class);
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

  private static HttpResponse<byte[]> post(String path, String form, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(server, path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(server, b);
  }

  private static HttpResponse<byte[]> getWith(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(server, path)).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(server, b);
  }

  private static String form(String... pairs) {
    StringBuilder f = new StringBuilder();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      f.append(f.isEmpty() ? "" : "&").append(pairs[i]).append('=')
          .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    return f.toString();
  }

  /** Logs in and returns the cookie header value ({@code name=value}). */
  private static String login() throws Exception {
    HttpResponse<byte[]> r = post(UI + "login", form("token", TOKEN, "who", "ada"));
    assertEquals(303, r.statusCode(), text(r));
    return r.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
  }

  private static String csrfOf(String html) {
    Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
    assertTrue(m.find(), "the page carries the CSRF token");
    return m.group(1);
  }

  @Test
  void login_withWrongToken_is401_andSetsNoCookie() throws Exception {
    HttpResponse<byte[]> r = post(UI + "login", form("token", "not-the-token"));
    assertEquals(401, r.statusCode());
    assertTrue(r.headers().firstValue("Set-Cookie").isEmpty());
    assertTrue(text(r).contains("Wrong token."));
  }

  @Test
  void login_setsAnHttpOnlySameSiteStrictCookieOnTheAdminPath_notSecureOverPlainHttp()
      throws Exception {
    HttpResponse<byte[]> r = post(UI + "login", form("token", TOKEN));
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.startsWith(ConsoleAccess.COOKIE + "="), cookie);
    assertTrue(cookie.contains("; HttpOnly"), cookie);
    assertTrue(cookie.contains("; SameSite=Strict"), cookie);
    assertTrue(cookie.contains("; Path=/_deja/"), cookie);
    assertFalse(cookie.contains("Secure"), "Secure only when the request came over TLS");
    assertFalse(cookie.contains(TOKEN), "the cookie names a session, it is not the token");
  }

  @Test
  void login_throughATlsProxy_setsASecureCookie() throws Exception {
    HttpResponse<byte[]> r = post(UI + "login", form("token", TOKEN),
        "X-Forwarded-Proto", "https");
    assertTrue(r.headers().firstValue("Set-Cookie").orElseThrow().contains("; Secure"));
  }

  @Test
  void login_postedFromAnotherSite_isRefused() throws Exception {
    HttpResponse<byte[]> r = post(UI + "login", form("token", TOKEN),
        "Origin", "https://evil.example");
    assertEquals(403, r.statusCode());
    assertTrue(r.headers().firstValue("Set-Cookie").isEmpty());
  }

  @Test
  void pages_withoutLogin_redirectToTheLoginForm_andTheApiAnswers401() throws Exception {
    HttpResponse<byte[]> page = get(server, UI + "audit");
    assertEquals(303, page.statusCode());
    assertEquals(UI + "login", page.headers().firstValue("Location").orElse(null));
    assertEquals(401, get(server, "/_deja/feedback.tsv").statusCode());
    assertEquals(401, post("/_deja/feedback", form("key", "a".repeat(64), "verdict", "wrong"))
        .statusCode());
    assertEquals(401, getWith("/_deja/feedback.tsv", "Authorization", "Bearer wrong")
        .statusCode());
  }

  @Test
  void pages_carryAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<byte[]> r = getWith(UI, "Cookie", login());
    assertEquals(200, r.statusCode());
    String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertTrue(csp.startsWith("default-src 'self'"), csp);
    assertTrue(csp.contains("script-src 'none'"), csp);
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null));
    assertTrue(text(r).contains("Requests per minute, last hour"));
  }

  @Test
  void feedbackFromTheBrowser_withoutTheCsrfToken_orFromAnotherOrigin_isRefused()
      throws Exception {
    SemanticHits.Hit hit = SemanticHits.make(server, "a red vintage bicycle leaning on a wall",
        "A red vintage bicycle leaning against a wall", "seed=5&width=64&height=64");
    String cookie = login();
    String csrf = csrfOf(text(getWith(UI + "audit", "Cookie", cookie)));

    assertEquals(403, post("/_deja/feedback", form("key", hit.aliasKey(), "verdict", "wrong"),
        "Cookie", cookie).statusCode(), "no CSRF token");
    assertEquals(403, post("/_deja/feedback", form("key", hit.aliasKey(), "verdict", "wrong",
        "csrf", "forged"), "Cookie", cookie).statusCode(), "wrong CSRF token");
    assertEquals(403, post("/_deja/feedback", form("key", hit.aliasKey(), "verdict", "wrong",
        "csrf", csrf), "Cookie", cookie, "Origin", "https://evil.example").statusCode(),
        "another origin");
    assertTrue(server.cache().store().audit().servedMatch(hit.aliasKey()).isPresent(),
        "nothing was changed");

    HttpResponse<byte[]> ok = post("/_deja/feedback", form("key", hit.aliasKey(),
        "verdict", "right", "csrf", csrf, "back", UI + "audit"), "Cookie", cookie,
        "Origin", "http://127.0.0.1:" + server.port(), "Sec-Fetch-Site", "same-origin");
    assertEquals(303, ok.statusCode(), text(ok));
    assertEquals(UI + "audit", ok.headers().firstValue("Location").orElse(null));
    assertTrue(server.cache().store().audit().feedback().stream()
        .anyMatch(f -> f.aliasKey().equals(hit.aliasKey()) && f.correct()
            && f.decidedBy().equals("ada")));
  }

  @Test
  void feedbackApi_withBearer_wrong_removesTheAlias_theNextRequestGoesToTheOrigin_andTheExportHasThePair()
      throws Exception {
    SemanticHits.Hit hit = SemanticHits.make(server, "a cozy wooden cabin in a snowy forest",
        "A cozy wooden cabin in a snowy forest, highly detailed", "seed=9&width=64&height=64");
    String bearer = "Bearer " + TOKEN;

    HttpResponse<byte[]> r = post("/_deja/feedback",
        form("key", hit.aliasKey(), "verdict", "wrong"), "Authorization", bearer);

    assertEquals(200, r.statusCode(), text(r));
    assertTrue(text(r).contains("\"aliasRemoved\":true"), text(r));
    long calls = server.demoOrigin().calls();
    HttpResponse<byte[]> again = get(server, hit.paraphrasePath());
    assertEquals("MISS", again.headers().firstValue("X-Cache").orElse(null),
        "neither the database nor this instance's memory serves the wrong match");
    assertEquals(calls + 1, server.demoOrigin().calls());
    assertEquals(404, post("/_deja/feedback", form("key", hit.aliasKey(), "verdict", "wrong"),
        "Authorization", bearer).statusCode(), "the alias is gone");

    HttpResponse<byte[]> tsv = getWith("/_deja/feedback.tsv", "Authorization", bearer);
    assertEquals(200, tsv.statusCode());
    assertTrue(tsv.headers().firstValue("Content-Type").orElse("")
        .startsWith("text/tab-separated-values"));
    assertTrue(text(tsv).contains("A cozy wooden cabin in a snowy forest, highly detailed\t"
        + "a cozy wooden cabin in a snowy forest\t0\toperator-wrong\t"), text(tsv));
  }

  @Test
  void feedbackApi_rejectsABadVerdictOrKey_with400() throws Exception {
    String bearer = "Bearer " + TOKEN;
    assertEquals(400, post("/_deja/feedback", form("key", "a".repeat(64), "verdict", "maybe"),
        "Authorization", bearer).statusCode());
    assertEquals(400, post("/_deja/feedback", form("key", "../etc", "verdict", "wrong"),
        "Authorization", bearer).statusCode());
    assertEquals(404, post("/_deja/feedback", form("key", "a".repeat(64), "verdict", "wrong"),
        "Authorization", bearer).statusCode());
  }

  @Test
  void thumbnails_serveTheStoredBytes_withTheirTypeAndNosniff_onlyWithTheToken() throws Exception {
    HttpResponse<byte[]> miss = get(server, TestServers.imagePath("a lone pine on a hill",
        "seed=3&width=64&height=64"));
    String key = miss.headers().firstValue("X-Cache-Key").orElseThrow();
    SemanticHits.awaitStored(server, key);

    assertEquals(401, get(server, UI + "image/" + key).statusCode());
    HttpResponse<byte[]> img = getWith(UI + "image/" + key, "Authorization", "Bearer " + TOKEN);
    assertEquals(200, img.statusCode());
    assertEquals("image/png", img.headers().firstValue("Content-Type").orElse(null));
    assertEquals("nosniff", img.headers().firstValue("X-Content-Type-Options").orElse(null));
    assertTrue(java.util.Arrays.equals(miss.body(), img.body()));
  }

  // --- input chosen to break the console (the attack round on issue #16): each was a 500, a
  // misleading error or a leak before its fix.

  private static HttpResponse<byte[]> bearerGet(String path) throws Exception {
    return getWith(path, "Authorization", "Bearer " + TOKEN);
  }

  @Test
  void entries_filteredByAnAgeOlderThanTimeItself_listEverything_insteadOfA500() throws Exception {
    HttpResponse<byte[]> r = bearerGet(UI + "entries?age=999999999999d");

    assertEquals(200, r.statusCode(), text(r));
    assertFalse(text(r).contains("Exception"), text(r));
    assertTrue(text(r).contains("value=\"999999999999d\""), "the filter form keeps the value");
  }

  @Test
  void aSearchWithANulCharacter_isReportedAsBadInput_notAsTheDatabaseBeingUnavailable()
      throws Exception {
    for (String path : new String[] {"entries?q=a%00b", "entries?bucket=%00", "audit?model=%00"}) {
      String html = text(bearerGet(UI + path));

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

    String html = text(bearerGet(UI + "entries?q=pager&x%26page%3D7=1"));

    assertTrue(html.contains("x%26page%3D7=1&amp;page=1"), html);
    assertFalse(html.contains("x&amp;page=7"), "the name cannot smuggle in a second parameter");
  }
}
