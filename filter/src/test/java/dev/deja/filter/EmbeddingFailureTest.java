package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.filter.embed.Embedder;
import dev.deja.filter.embed.EmbeddingException;
import dev.deja.db.CacheStore;
import dev.deja.filter.testing.CacheHarness;
import dev.deja.filter.testing.FilterHarness;
import dev.deja.filter.testing.TestOrigin;
import dev.deja.filter.testing.TestStores;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What README "Fails open" promises for a model error: not {@code cache-unavailable} (that is the
 * database), but a plain miss that the client cannot tell from any other, and an entry that does
 * not reach the database while the model keeps failing.
 */
class EmbeddingFailureTest {

  /** Deterministic vectors per prompt until told to fail like a broken ONNX runtime. */
  static final class SwitchableEmbedder implements Embedder {
    volatile boolean failing;
    final AtomicInteger failures = new AtomicInteger();

    @Override
    public String modelId() {
      return "switchable-test-model";
    }

    @Override
    public int dimension() {
      return 384;
    }

    @Override
    public Optional<float[]> embed(String prompt) {
      if (failing) {
        failures.incrementAndGet();
        throw new EmbeddingException("model down");
      }
      Random r = new Random(prompt.hashCode());
      float[] v = new float[384];
      double norm = 0;
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextGaussian();
        norm += v[i] * v[i];
      }
      for (int i = 0; i < v.length; i++) {
        v[i] /= (float) Math.sqrt(norm);
      }
      return Optional.of(v);
    }

    @Override
    public void close() {}
  }

  private final SwitchableEmbedder embedder = new SwitchableEmbedder();
  private CacheHarness harness;
  private CacheStore store;
  private FilterHarness http;

  @BeforeEach
  void start() throws Exception {
    harness =
        CacheHarness.on(
            TestStores.open(getClass(), embedder.dimension()), DejaConfig.builder().build(),
            embedder, new TestOrigin(10));
    store = harness.store;
    http = harness.http;
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  @Test
  void modelError_isAPlainMissThatSaysStored_butTheEntryOnlyReachesTheInMemoryTier()
      throws Exception {
    // A vector in the partition, so the lookup has a reason to embed (an empty one skips it).
    String first = "/prompt/a%20red%20fox%20in%20the%20snow?seed=3&width=32&height=32";
    HttpResponse<byte[]> stored = http.get(first);
    assertEquals("deja; fwd=uri-miss; stored", cacheStatus(stored));
    awaitInDatabase(stored.headers().firstValue("X-Cache-Key").orElseThrow());

    embedder.failing = true;
    String second = "/prompt/a%20red%20fox%20in%20deep%20snow?seed=3&width=32&height=32";
    HttpResponse<byte[]> miss = http.get(second);
    assertEquals(200, miss.statusCode());
    assertEquals("deja; fwd=uri-miss; stored", cacheStatus(miss), "not cache-unavailable");
    assertTrue(embedder.failures.get() >= 1, "the lookup did ask the model");
    String key = miss.headers().firstValue("X-Cache-Key").orElseThrow();

    // The background store embeds again, fails, and does not retry: nothing in the database...
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (embedder.failures.get() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(2, embedder.failures.get(), "lookup and store each asked the model once");
    Thread.sleep(200);
    assertTrue(store.findExact(key).isEmpty(), "the write failed with the model");
    // ...but this instance's in-memory tier kept the image, so an exact repeat hits.
    assertEquals("HIT", http.get(second).headers().firstValue("X-Cache").orElseThrow());
  }

  private void awaitInDatabase(String key) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (store.findExact(key).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the first entry reached the database");
      Thread.sleep(20);
    }
  }

  private static String cacheStatus(HttpResponse<byte[]> r) {
    return r.headers().firstValue("Cache-Status").orElseThrow();
  }
}
