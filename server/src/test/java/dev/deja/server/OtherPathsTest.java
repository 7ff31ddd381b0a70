package dev.deja.server;

import static dev.deja.server.TestServers.get;
import static dev.deja.server.TestServers.imagePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Issue #11: the gateway proxies only what it fronts when told so. */
class OtherPathsTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(OtherPathsTest.class);

  @AfterAll
  static void drop() {
    SCHEMA.drop();
  }

  @Test
  void byDefault_otherPathsReachTheOrigin() throws Exception {
    try (DejaServer server = TestServers.start(SCHEMA, "--set", "semantic=false")) {
      // The demo origin serves the cached routes only: a proxied /other reaches it and is its
      // own 404.
      var other = get(server, "/other/path");
      assertEquals(404, other.statusCode());
      assertFalse(TestServers.text(other).contains("not served by this gateway"));
    }
  }

  @Test
  void withPassThroughOff_otherPathsAre404_andTheRoutesAndAdminStillWork() throws Exception {
    try (DejaServer server =
        TestServers.start(
            SCHEMA, "--set", "semantic=false", "--pass-through-other-paths=false")) {
      var other = get(server, "/other/path");
      assertEquals(404, other.statusCode());
      assertTrue(TestServers.text(other).contains("not served by this gateway"));
      assertEquals(404, get(server, "/").statusCode());
      assertEquals(200, get(server, imagePath("a kite", "seed=2&width=8&height=8")).statusCode());
      assertEquals(200, get(server, "/_deja/health").statusCode());
      assertEquals(1, server.demoOrigin().calls(), "only the image reached the origin");
    }
  }

  @Test
  void theDemoOriginAnswersOnTheConfiguredRoutes() throws Exception {
    try (DejaServer server =
        TestServers.start(SCHEMA, "--set", "semantic=false", "--set", "paths=/img/*")) {
      assertEquals(200, get(server, "/img/a%20kite?seed=2&width=8&height=8").statusCode());
      assertEquals(404, get(server, imagePath("a kite", "seed=2&width=8&height=8")).statusCode());
      assertEquals(1, server.demoOrigin().calls(), "only the configured route reached it");
    }
  }
}
