package dev.deja.filter.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.CacheStore;
import dev.deja.db.EntrySource;
import dev.deja.db.Neighbor;
import dev.deja.db.StoredResponse;
import dev.deja.filter.DejaConfig;
import dev.deja.filter.embed.Embedder;
import dev.deja.filter.request.ParsedRequest;
import dev.deja.filter.request.RequestParser;
import dev.deja.filter.store.CircuitBreaker;
import dev.deja.filter.store.HotCache;
import dev.deja.filter.testing.ThresholdOnlyMatcher;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 14: the embedding runs while the exact probe asks the database, not after it. */
class CacheLookupEarlyEmbeddingTest {

  static final String CACHED_KEY = "cached";

  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final CountDownLatch embeddingStarted = new CountDownLatch(1);
  private final CountDownLatch releaseEmbedding = new CountDownLatch(1);
  private final AtomicInteger embeddings = new AtomicInteger();
  private volatile boolean exactHit;
  private volatile boolean embeddingSeenDuringProbe;

  @AfterEach
  void stop() {
    releaseEmbedding.countDown();
    pool.shutdownNow();
  }

  @Test
  void lookup_semanticMiss_embedsWhileTheExactProbeRuns() {
    releaseEmbedding.countDown();
    LookupResult result = lookup(pool::execute);
    assertTrue(embeddingSeenDuringProbe, "the embedding had started before the probe answered");
    assertInstanceOf(LookupResult.SemanticHit.class, result);
    assertEquals(1, embeddings.get());
  }

  @Test
  void lookup_exactHit_doesNotWaitForTheEmbedding() {
    exactHit = true;
    long t0 = System.nanoTime();
    LookupResult result = lookup(pool::execute); // the embedding stays blocked
    assertInstanceOf(LookupResult.ExactHit.class, result);
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1));
  }

  @Test
  void lookup_whenThePoolIsBusy_embedsOnTheRequestThreadOnce() {
    releaseEmbedding.countDown();
    LookupResult result = lookup(task -> {
      throw new RejectedExecutionException("busy");
    });
    assertInstanceOf(LookupResult.SemanticHit.class, result);
    assertEquals(1, embeddings.get());
  }

  @Test
  void lookup_exactHitBeforeAnyPoolThreadStarted_neverEmbeds() throws Exception {
    exactHit = true;
    List<Runnable> queued = new java.util.ArrayList<>();
    assertInstanceOf(LookupResult.ExactHit.class, lookup(queued::add));
    releaseEmbedding.countDown();
    queued.forEach(Runnable::run); // the pool gets to it after the answer: nothing to do
    assertEquals(0, embeddings.get());
  }

  private LookupResult lookup(java.util.concurrent.Executor early) {
    CacheLookup lookup = new CacheLookup(store(), new HotCache(0), embedder(),
        new ThresholdOnlyMatcher(0.5), new CircuitBreaker(5, Duration.ofSeconds(1),
            System::nanoTime), true, CacheLookup.UnseededPolicy.SEMANTIC, 3,
        Clock.systemUTC(), Duration.ZERO, Runnable::run, early);
    ParsedRequest.Cacheable request = (ParsedRequest.Cacheable) new RequestParser(
        DejaConfig.defaults().rules()).parse("GET", "/prompt/a%20red%20fox", "seed=1", null);
    return lookup.lookup(request, new LookupOptions(null));
  }

  private CacheStore store() {
    StoredResponse image = new StoredResponse(CACHED_KEY, 200, "image/png", Map.of(),
        new byte[] {1}, Instant.now(), null, EntrySource.ORIGIN, "a red fox", "b", null, null,
        null);
    return (CacheStore) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {CacheStore.class}, (proxy, method, args) -> switch (method.getName()) {
          case "findExactOrStale" -> {
            if (args[0].equals(CACHED_KEY)) {
              yield Optional.of(image);
            }
            // The probe takes as long as an embedding may need to start on a free pool thread.
            embeddingSeenDuringProbe = embeddingStarted.await(2, TimeUnit.SECONDS);
            yield exactHit ? Optional.of(image) : Optional.empty();
          }
          case "findExact" -> Optional.of(image);
          case "hasCandidates" -> true;
          case "findNearest" -> List.of(new Neighbor(CACHED_KEY, "a red fox", 0.99));
          case "toString" -> "fake store";
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  private Embedder embedder() {
    return new Embedder() {
      @Override
      public String modelId() {
        return "test-model";
      }

      @Override
      public int dimension() {
        return 3;
      }

      @Override
      public Optional<float[]> embed(String prompt) {
        embeddings.incrementAndGet();
        embeddingStarted.countDown();
        try {
          releaseEmbedding.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return Optional.of(new float[] {1, 0, 0});
      }

      @Override
      public void close() {}
    };
  }
}
