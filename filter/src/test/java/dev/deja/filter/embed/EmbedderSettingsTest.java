package dev.deja.filter.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class EmbedderSettingsTest {

  private static void assertRejected(Executable action, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
  }

  @Test
  void defaults_useTheBundledInt8ModelAndTheDocumentedConstants() {
    EmbedderSettings s = EmbedderSettings.defaults();
    assertEquals(EmbedderSettings.BGE_SMALL_INT8, s.bundledModel().orElseThrow());
    assertEquals("bge-small-en-v1.5-q", s.modelName());
    assertEquals(Pooling.CLS, s.pooling());
    assertEquals(512, s.maxTokens());
    assertEquals(1, s.intraOpThreads());
    assertEquals(Runtime.getRuntime().availableProcessors(), s.maxConcurrentInferences());
    assertEquals(Duration.ofMillis(500), s.inferenceWaitTimeout());
    assertEquals(10_000, s.cacheSize());
    assertTrue(s.warmUp());
    assertFalse(s.modelFile().isPresent());
  }

  @Test
  void builder_badValues_areRejectedNamingFieldValueAndRule() {
    EmbedderSettings.Builder b = EmbedderSettings.builder();
    assertRejected(() -> b.model("bge-large"), "model", "bge-large", "bge-small-en-v1.5-q");
    assertRejected(() -> b.maxTokens(0), "maxTokens", "0", "between 8 and 8192");
    assertRejected(() -> b.intraOpThreads(0), "intraOpThreads", "0", "between 1");
    assertRejected(() -> b.maxConcurrentInferences(-1), "maxConcurrentInferences", "-1");
    assertRejected(() -> b.cacheSize(-5), "cacheSize", "-5", "between 0");
    assertRejected(() -> b.inferenceWaitTimeout(Duration.ZERO), "inferenceWaitTimeout",
        "positive");
    assertRejected(() -> b.modelName("a@b"), "modelName", "a@b");
    assertRejected(() -> Pooling.parse("max"), "pooling", "max", "cls", "mean");
  }

  @Test
  void build_bundledModelWithMoreThan512Tokens_isRejected() {
    assertRejected(() -> EmbedderSettings.builder().maxTokens(1024).build(), "maxTokens", "1024",
        "512");
  }

  @Test
  void build_modelNameWithBundledModel_isRejected() {
    assertRejected(() -> EmbedderSettings.builder().modelName("x").build(), "modelName",
        "modelFiles");
  }

  @Test
  void modelFiles_allowLongerInputsAndDeriveTheNameFromTheFile() {
    EmbedderSettings s = EmbedderSettings.builder()
        .modelFiles(Path.of("/models/bge-m3/model.onnx"), Path.of("/models/bge-m3/tokenizer.json"))
        .maxTokens(8192).pooling(Pooling.MEAN).build();
    assertEquals("bge-m3", s.modelName());
    assertEquals(8192, s.maxTokens());
    assertFalse(s.bundledModel().isPresent());
    assertEquals("bge-base", EmbedderSettings.builder()
        .modelFiles(Path.of("bge-base.onnx"), Path.of("t.json")).build().modelName());
  }

  @Test
  void fromMap_feedsTheSameBuilder() {
    EmbedderSettings s = EmbedderSettings.fromMap(Map.of("model", "bge-small-en-v1.5",
        "pooling", "MEAN", "cache-size", "0", "warm-up", "false", "intra-op-threads", "2",
        "inference-wait-timeout-ms", "250", "max-concurrent-inferences", "3"));
    assertEquals("bge-small-en-v1.5", s.modelName());
    assertEquals(Pooling.MEAN, s.pooling());
    assertEquals(0, s.cacheSize());
    assertFalse(s.warmUp());
    assertEquals(2, s.intraOpThreads());
    assertEquals(3, s.maxConcurrentInferences());
    assertEquals(Duration.ofMillis(250), s.inferenceWaitTimeout());
  }

  @Test
  void fromMap_unknownKeyOrBadValue_isRejected() {
    assertRejected(() -> EmbedderSettings.fromMap(Map.of("cache_size", "5")), "cache_size",
        "unknown");
    assertRejected(() -> EmbedderSettings.fromMap(Map.of("cache-size", "lots")), "cache-size",
        "lots");
    assertRejected(() -> EmbedderSettings.fromMap(Map.of("warm-up", "yes")), "warm-up", "yes");
    assertRejected(() -> EmbedderSettings.fromMap(Map.of("model-file", "/m.onnx")),
        "tokenizer-file");
  }
}
