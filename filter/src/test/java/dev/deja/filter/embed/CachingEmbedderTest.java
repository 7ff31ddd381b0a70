package dev.deja.filter.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachingEmbedderTest {

  /** Counts calls; vectors derive from the text so different prompts differ. */
  private static final int TOO_LONG = 1_000;

  private static final class CountingEmbedder implements Embedder {
    final AtomicInteger calls = new AtomicInteger();
    volatile RuntimeException failure;
    volatile CountDownLatch gate;

    @Override
    public String modelId() {
      return "fake@000000000000";
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public Optional<float[]> embed(String prompt) {
      calls.incrementAndGet();
      if (gate != null) {
        try {
          gate.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failure != null) {
        throw failure;
      }
      if (prompt.length() > TOO_LONG) {
        return Optional.empty(); // as the ONNX embedder does past the model's window
      }
      double angle = prompt.hashCode();
      return Optional.of(new float[] {(float) Math.cos(angle), (float) Math.sin(angle)});
    }

    @Override
    public void close() {}
  }

  private final CountingEmbedder delegate = new CountingEmbedder();
  private final CachingEmbedder cache = new CachingEmbedder(delegate, 100);

  @Test
  void embed_repeatedPrompt_isEmbeddedOnce() {
    float[] first = cache.embed("a red cat").orElseThrow();
    float[] second = cache.embed("a red cat").orElseThrow();
    assertArrayEquals(first, second);
    assertEquals(1, delegate.calls.get());
  }

  @Test
  void embed_aPromptWithoutAVector_isEmpty_andRememberedAsSuch() {
    String tooLong = "a red cat ".repeat(200);
    assertEquals(Optional.empty(), cache.embed(tooLong));
    assertEquals(Optional.empty(), cache.embed(tooLong));
    assertEquals(1, delegate.calls.get());
  }

  @Test
  void embed_promptsThatNormalizeAlike_shareOneEntry() {
    cache.embed("a red cat");
    cache.embed("  A RED, cat!  ");
    assertEquals(1, delegate.calls.get());
    assertEquals(1, cache.size());
  }

  @Test
  void embed_returnsDefensiveCopies() {
    float[] first = cache.embed("a red cat").orElseThrow();
    float expected = first[0];
    first[0] = 42f;
    float[] second = cache.embed("a red cat").orElseThrow();
    assertNotSame(first, second);
    assertEquals(expected, second[0]);
  }

  @Test
  void embed_blankPrompt_isEmptyWithoutCallingTheModel() {
    assertEquals(Optional.empty(), cache.embed(" ,;! "));
    assertEquals(0, delegate.calls.get());
  }

  @Test
  void embed_failure_isNotCached() {
    delegate.failure = new EmbeddingException("model down");
    assertThrows(EmbeddingException.class, () -> cache.embed("a red cat"));
    delegate.failure = null;
    assertTrue(cache.embed("a red cat").isPresent());
    assertEquals(2, delegate.calls.get());
  }

  @Test
  void embed_concurrentMissesOnOnePrompt_runOneInference() throws Exception {
    delegate.gate = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<float[]>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        tasks.add(() -> cache.embed("a red cat").orElseThrow());
      }
      List<Future<float[]>> results = new ArrayList<>();
      for (Callable<float[]> task : tasks) {
        results.add(pool.submit(task));
      }
      Thread.sleep(100);
      delegate.gate.countDown();
      for (Future<float[]> result : results) {
        assertArrayEquals(results.get(0).get(), result.get());
      }
      assertEquals(1, delegate.calls.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void embed_withTheRealModel_repeatRunsNoInference() {
    OnnxEmbedder model = SharedModels.int8();
    CachingEmbedder real = new CachingEmbedder(model, 10);
    float[] first = real.embed("three dogs playing in the snow").orElseThrow();
    long after = model.inferenceCount();
    float[] again = real.embed("Three dogs, playing in the snow.").orElseThrow();
    assertEquals(after, model.inferenceCount());
    assertArrayEquals(first, again);
    assertEquals(model.modelId(), real.modelId());
    assertEquals(384, real.dimension());
  }

  @Test
  void create_withDefaultSettings_wrapsTheModelInTheCache() {
    try (Embedder embedder = Embedders.createDefault()) {
      assertTrue(embedder instanceof CachingEmbedder, embedder.toString());
      CachingEmbedder caching = (CachingEmbedder) embedder;
      OnnxEmbedder onnx = (OnnxEmbedder) caching.delegate();
      embedder.embed("a red cat");
      long count = onnx.inferenceCount();
      embedder.embed("a red cat");
      assertEquals(count, onnx.inferenceCount());
    }
  }
}
