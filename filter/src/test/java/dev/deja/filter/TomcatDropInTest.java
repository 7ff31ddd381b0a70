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
import org.apache.catalina.Context;
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
    Path base = Files.createTempDirectory("deja-tomcat");
    tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    Context context = tomcat.addContext("", base.toString());

    TestOrigin origin = new TestOrigin(20);
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

    URI uri =
        URI.create(
            "http://127.0.0.1:" + tomcat.getConnector().getLocalPort()
                + "/prompt/a%20paper%20boat%20on%20a%20pond?seed=3");
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest get = HttpRequest.newBuilder(uri).build();

    HttpResponse<byte[]> miss = client.send(get, HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, miss.statusCode());
    assertEquals("MISS", miss.headers().firstValue("X-Cache").orElseThrow());

    HttpResponse<byte[]> hit = client.send(get, HttpResponse.BodyHandlers.ofByteArray());
    assertEquals("HIT", hit.headers().firstValue("X-Cache").orElseThrow());
    assertEquals("exact", hit.headers().firstValue("X-Cache-Type").orElseThrow());
    assertArrayEquals(miss.body(), hit.body());
    assertEquals(1, origin.calls());
  }
}
