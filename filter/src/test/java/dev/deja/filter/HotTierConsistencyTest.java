package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.deja.db.StoredResponse;
import dev.deja.filter.request.ParsedRequest;
import dev.deja.filter.store.InMemoryCacheStore;
import dev.deja.filter.testing.TestStores;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The in-memory tier holds only what the store holds or is about to: an origin answer whose write
 * does not land must not keep being served by this instance alone.
 */
class HotTierConsistencyTest {

  private static final byte[] STORED = "image the store has".getBytes(StandardCharsets.UTF_8);
  private static final byte[] FALLBACK = "image the origin drew".getBytes(StandardCharsets.UTF_8);

  @Test
  void givenTheKeyAlreadyHoldsAnotherImage_whenAnAnswerIsKept_thenTheTierForgetsItOnceTheWriteIsRefused()
      throws Exception {
    InMemoryCacheStore store = (InMemoryCacheStore) TestStores.inMemory();
    DejaConfig config = DejaConfig.builder().semantic(false).build();
    try (DejaCache cache = DejaCache.builder().config(config).store(store)
        .matcher(TestStores.matcher(config)).build()) {
      ParsedRequest.Cacheable request = (ParsedRequest.Cacheable)
          cache.parse("GET", "/prompt/a%20kept%20lantern", "seed=3", null);
      // Another instance stored the key first (its lookup here failed open, e.g. the object store).
      cache.keep(request, null, "image/png", Map.of(), STORED, null, false, cache.budget().open());
      cache.drain(Duration.ofSeconds(5));
    }
    try (DejaCache cache = DejaCache.builder().config(config).store(store)
        .matcher(TestStores.matcher(config)).build()) {
      ParsedRequest.Cacheable request = (ParsedRequest.Cacheable)
          cache.parse("GET", "/prompt/a%20kept%20lantern", "seed=3", null);
      StoredResponse kept = cache.keep(
          request, null, "image/png", Map.of(), FALLBACK, null, false, cache.budget().open());
      assertNotNull(kept);
      cache.drain(Duration.ofSeconds(5)); // the write is refused: the key holds the other image

      assertNull(cache.hotImage(request.key().value()),
          "the tier dropped the image the store did not take");
      assertArrayEquals(STORED, store.findExact(request.key().value()).orElseThrow().body());
    }
  }
}
