package dev.deja.server.console;

import static dev.deja.server.TestServers.await;
import static dev.deja.server.TestServers.get;
import static dev.deja.server.TestServers.imagePath;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deja.db.CacheUnavailableException;
import dev.deja.server.DejaServer;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Makes real semantic hits through the gateway: an origin entry, then a paraphrase of it. */
final class SemanticHits {

  /**
   * A served semantic hit.
   *
   * @param aliasKey the paraphrase's {@code X-Cache-Key}
   * @param targetKey the origin entry's key
   * @param paraphrasePath the request that was answered semantically
   */
  record Hit(String aliasKey, String targetKey, String paraphrasePath) {}

  private SemanticHits() {}

  /** Stores {@code prompt} from the origin, then asks for {@code paraphrase}: a semantic hit. */
  static Hit make(DejaServer server, String prompt, String paraphrase, String query)
      throws Exception {
    HttpResponse<byte[]> first = get(server, imagePath(prompt, query));
    assertEquals("MISS", first.headers().firstValue("X-Cache").orElse(null));
    String target = first.headers().firstValue("X-Cache-Key").orElseThrow();
    awaitStored(server, target);
    String path = imagePath(paraphrase, query);
    HttpResponse<byte[]> hit = get(server, path);
    assertEquals("semantic", hit.headers().firstValue("X-Cache-Type").orElse(null),
        "a paraphrase of a cached prompt is a semantic hit");
    String alias = hit.headers().firstValue("X-Cache-Key").orElseThrow();
    await("alias " + alias + " stored", Duration.ofSeconds(20),
        () -> server.cache().store().audit().servedMatch(alias).isPresent());
    return new Hit(alias, target, path);
  }

  /**
   * Waits until the background store wrote {@code key} to the database. A lookup that runs out of
   * its (tight) time budget on a loaded machine is one more poll, not a failure.
   */
  static void awaitStored(DejaServer server, String key) throws InterruptedException {
    await("store of " + key, Duration.ofSeconds(20), () -> {
      try {
        return server.cache().store().findExact(key).isPresent();
      } catch (CacheUnavailableException slow) {
        return false;
      }
    });
  }
}
