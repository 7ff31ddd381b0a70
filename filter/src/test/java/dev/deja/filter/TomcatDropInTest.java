package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deja.db.testing.TestDatabase;
import dev.deja.filter.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same filter, unchanged, in embedded Tomcat 11, configured only through init-params as a
 * {@code web.xml} would: the drop-in claim beyond Jetty.
 */
class TomcatDropInTest {

  private final TestDatabase.Schema schema = TestDatabase.isolatedSchema(getClass());
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private Tomcat tomcat;

  @AfterEach
  void stop() throws Exception {
    if (tomcat != null) {
      tomcat.stop();
      tomcat.destroy();
    }
    schema.drop();
  }

  @Test
  void missThenExactHitInTomcatConfiguredByInitParams() throws Exception {
    TestOrigin origin = new TestOrigin(20);
    start(origin, connector -> {});
    HttpRequest get = HttpRequest.newBuilder(uri("/prompt/a%20paper%20boat%20on%20a%20pond?seed=3"))
        .build();

    HttpResponse<byte[]> miss = CLIENT.send(get, HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, miss.statusCode());
    assertEquals("MISS", miss.headers().firstValue("X-Cache").orElseThrow());

    HttpResponse<byte[]> hit = CLIENT.send(get, HttpResponse.BodyHandlers.ofByteArray());
    assertEquals("HIT", hit.headers().firstValue("X-Cache").orElseThrow());
    assertEquals("exact", hit.headers().firstValue("X-Cache-Type").orElseThrow());
    assertArrayEquals(miss.body(), hit.body());
    assertEquals(1, origin.calls());
  }

  /**
   * What the README's "Running the filter in Tomcat" asks of the Connector, verified: with
   * {@code encodedSolidusHandling="passthrough"} prompts with '/' (sent as %2F) reach the filter,
   * and with {@code maxHttpRequestHeaderSize} sized like the gateway's, so does a prompt of
   * maxPromptChars characters at 9 encoded bytes each. '%' (%25) needs nothing.
   */
  @Test
  void withTheReadmeConnectorSettingsSlashesPercentSignsAndLongPromptsAreCached()
      throws Exception {
    TestOrigin origin = new TestOrigin(0);
    start(origin, connector -> {
      connector.setEncodedSolidusHandling("passthrough");
      connector.setProperty("maxHttpRequestHeaderSize", Integer.toString(9 * 8192 + 16 * 1024));
    });
    List<String> targets =
        List.of(
            "/prompt/a%20portrait%20at%20f%2F1.8?seed=3",
            "/prompt/a%20100%25%20cotton%20shirt?seed=3",
            "/prompt/" + "%E6%97%A5".repeat(8192) + "?seed=3");
    for (String target : targets) {
      HttpRequest get = HttpRequest.newBuilder(uri(target)).build();
      HttpResponse<byte[]> miss = CLIENT.send(get, HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, miss.statusCode(), target);
      assertEquals("MISS", miss.headers().firstValue("X-Cache").orElseThrow(), target);
      awaitStored(miss.headers().firstValue("X-Cache-Key").orElseThrow());
      HttpResponse<byte[]> hit = CLIENT.send(get, HttpResponse.BodyHandlers.ofByteArray());
      assertEquals("HIT", hit.headers().firstValue("X-Cache").orElseThrow(), target);
      assertArrayEquals(miss.body(), hit.body());
    }
    assertEquals(targets.size(), origin.calls());
  }

  @Test
  void byDefaultTomcatRefusesAnEncodedSlashBeforeTheFilterSeesIt() throws Exception {
    TestOrigin origin = new TestOrigin(0);
    start(origin, connector -> {});
    HttpResponse<byte[]> refused =
        CLIENT.send(HttpRequest.newBuilder(uri("/prompt/f%2F1.8?seed=3")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(400, refused.statusCode());
    assertEquals(0, origin.calls());
  }

  /** Tomcat resolves '..' and drops ';parameters' before its servlets: never keyed here either. */
  @Test
  void pathsTomcatResolvesToAnotherPromptArePassedOnUncached() throws Exception {
    TestOrigin origin = new TestOrigin(0);
    start(origin, connector -> connector.setEncodedSolidusHandling("passthrough"));
    for (String[] attack :
        new String[][] {
          {"/prompt/a%20red%20sports%20car/../x?seed=104", "dot-segment"},
          {"/prompt/a%20red%20sports%20car%2F..%2Fx?seed=104", "dot-segment"},
          {"/prompt/x;a%20red%20sports%20car?seed=104", "path-parameter"},
        }) {
      HttpResponse<byte[]> response =
          CLIENT.send(HttpRequest.newBuilder(uri(attack[0])).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, response.statusCode(), attack[0]);
      assertEquals("deja; fwd=bypass; detail=" + attack[1],
          response.headers().firstValue("Cache-Status").orElseThrow(), attack[0]);
    }
    assertEquals(3, origin.calls());
  }

  private void start(TestOrigin origin, Consumer<Connector> connectorSettings) throws Exception {
    Path base = Files.createTempDirectory("deja-tomcat");
    tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    connectorSettings.accept(tomcat.getConnector());
    Context context = tomcat.addContext("", base.toString());

    Tomcat.addServlet(context, "origin", origin);
    context.addServletMappingDecoded("/prompt/*", "origin");

    FilterDef deja = new FilterDef();
    deja.setFilterName("deja");
    deja.setFilterClass(DejaFilter.class.getName());
    TestDatabase.Settings db = TestDatabase.settings();
    deja.addInitParameter("db.url", db.url());
    deja.addInitParameter("db.user", db.user());
    deja.addInitParameter("db.password", db.password());
    deja.addInitParameter("db.schema", schema.name());
    deja.addInitParameter("paths", "/prompt/*");
    deja.addInitParameter("defaults", "model=flux,width=64,height=64");
    context.addFilterDef(deja);
    FilterMap map = new FilterMap();
    map.setFilterName("deja");
    map.addURLPattern("/*");
    context.addFilterMap(map);
    tomcat.start();
  }

  /** Waits until the filter's background store wrote {@code key} to the database. */
  private void awaitStored(String key) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!stored(key)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for the store of " + key);
      }
      Thread.sleep(20);
    }
  }

  private boolean stored(String key) throws SQLException {
    try (Connection c = TestDatabase.connect();
        PreparedStatement q =
            c.prepareStatement("SELECT 1 FROM " + schema.name() + ".cache_entry WHERE cache_key = ?")) {
      q.setString(1, key);
      try (ResultSet r = q.executeQuery()) {
        return r.next();
      }
    }
  }

  private URI uri(String target) {
    return URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + target);
  }
}
