package dev.deja.filter;

import static dev.deja.filter.testing.Instance.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TcpRelay;
import dev.deja.db.testing.TestDatabase;
import dev.deja.filter.testing.InitParamApp;
import dev.deja.filter.testing.Instance;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #15, point 5: an application whose cache database is down when it deploys still deploys.
 * The filter passes every request to the application, says why in {@code Cache-Status}, reports
 * itself not ready, and starts caching by itself once the database is back.
 */
class FilterStartDuringOutageTest {

  private final TestDatabase.Schema schema = TestDatabase.isolatedSchema(getClass());

  @AfterEach
  void dropSchema() {
    schema.drop();
  }

  @Test
  void givenTheDatabaseIsDownWhenTheFilterStarts_itPassesThrough_reportsWhy_andCachesOnceBack()
      throws Exception {
    TestDatabase.Settings db = TestDatabase.settings();
    URI target = URI.create(db.url().substring("jdbc:".length()));
    try (TcpRelay relay = new TcpRelay(target.getHost(), target.getPort())) {
      relay.cut();
      Map<String, String> params = Instance.settings(schema,
          "db.url", "jdbc:postgresql://127.0.0.1:" + relay.port() + target.getPath());
      try (InitParamApp app = new InitParamApp(params)) {
        String path = "/prompt/a%20brass%20compass?seed=6";

        HttpResponse<byte[]> during = app.get(path);

        assertEquals(200, during.statusCode(), "the application answers");
        String status = during.headers().firstValue("Cache-Status").orElse("");
        assertTrue(status.contains("detail=cache-unavailable"), status);
        assertFalse(status.contains("stored"), status);
        assertTrue(app.filter.cache().notReady().isPresent(), "reports itself not ready");
        assertTrue(app.filter.cache().notReady().get().contains("postgresql"),
            app.filter.cache().notReady().get());

        relay.restore();
        await("the cache ready", Duration.ofSeconds(20),
            () -> app.filter.cache().notReady().isEmpty());
        String other = "/prompt/a%20brass%20sextant?seed=6";
        HttpResponse<byte[]> miss = app.get(other);
        assertTrue(miss.headers().firstValue("Cache-Status").orElse("").contains("stored"));
        String key = miss.headers().firstValue("X-Cache-Key").orElseThrow();
        await("stored in the database", Duration.ofSeconds(20),
            () -> Instance.stored(app.filter.cache(), key));
        app.filter.cache().invalidateAll();
        assertEquals("HIT", app.get(other).headers().firstValue("X-Cache").orElse(""),
            "served from the database");
      }
    }
  }

  @Test
  void givenAModelThatCannotLoad_theFilterStillFailsToStart() throws Exception {
    Map<String, String> params = Instance.settings(schema, "semantic", "true",
        "embedding.model-file", "/nonexistent/model.onnx",
        "embedding.tokenizer-file", "/nonexistent/tokenizer.json");
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> new InitParamApp(params).close());
    assertTrue(String.valueOf(rootMessage(e)).contains("model"), rootMessage(e));
  }

  private static String rootMessage(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append(" / ");
    }
    return all.toString();
  }
}
