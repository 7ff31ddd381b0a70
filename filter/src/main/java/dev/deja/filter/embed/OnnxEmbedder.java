package dev.deja.filter.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.LibUtils;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.deja.filter.text.Normalize;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds prompts with one shared ONNX Runtime session and a HuggingFace tokenizer.
 *
 * <p>Thread-safe. At most {@code maxConcurrentInferences} inferences run at once; a caller that
 * cannot get a slot within {@code inferenceWaitTimeout} gets an {@link EmbeddingException} rather
 * than waiting in an unbounded queue (the filter then goes to the origin). Every returned array is
 * freshly allocated and owned by the caller.
 */
final class OnnxEmbedder implements Embedder {

  private static final Logger log = LoggerFactory.getLogger(OnnxEmbedder.class);

  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final String WARM_UP_PROMPT = "a red cat sitting on a blue car, digital art";
  private static final long CLOSE_WAIT_SECONDS = 10;

  private final String modelId;
  private final Pooling pooling;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  /** Model inputs in session order, each with its element type (int64 or int32). */
  private final Map<String, OnnxJavaType> inputs;
  private final String outputName;
  /** True when the output is already one vector per prompt ([batch, dim]); pooling is skipped. */
  private final boolean pooledOutput;
  private final int dimension;
  private final int maxConcurrent;
  private final Semaphore permits;
  private final long waitNanos;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder inferences = new LongAdder();
  private final LongAdder truncated = new LongAdder();

  OnnxEmbedder(ModelSource source, EmbedderSettings settings) {
    this.modelId = source.modelId();
    this.pooling = settings.pooling();
    this.maxConcurrent = settings.maxConcurrentInferences();
    this.permits = new Semaphore(maxConcurrent, true);
    this.waitNanos = settings.inferenceWaitTimeout().toNanos();
    long start = System.nanoTime();
    this.tokenizer = loadTokenizer(source, settings.maxTokens());
    OrtSession loaded = null;
    try {
      this.env = OrtEnvironment.getEnvironment();
      loaded = loadSession(env, source, settings.intraOpThreads());
      this.inputs = discoverInputs(loaded, source);
      Map<String, NodeInfo> outputs = loaded.getOutputInfo();
      Map.Entry<String, NodeInfo> first = outputs.entrySet().iterator().next();
      this.outputName = first.getKey();
      long[] shape = tensorShape(first.getValue(), source);
      if (shape.length != 2 && shape.length != 3) {
        throw new EmbeddingException("first output '" + outputName + "' of "
            + source.modelDescription() + " has shape " + java.util.Arrays.toString(shape)
            + "; expected [batch, tokens, dim] or [batch, dim]");
      }
      this.pooledOutput = shape.length == 2;
      this.session = loaded;
      long lastDim = shape[shape.length - 1];
      this.dimension = lastDim > 0 ? (int) lastDim : infer(WARM_UP_PROMPT).length;
    } catch (OrtException | RuntimeException e) {
      closeQuietly(loaded);
      tokenizer.close();
      if (e instanceof EmbeddingException ee) {
        throw ee;
      }
      throw new EmbeddingException("cannot inspect " + source.modelDescription() + ": "
          + e.getMessage(), e);
    }
    if (pooledOutput && pooling != Pooling.CLS) {
      log.warn("{}: output '{}' is already pooled; pooling={} is ignored", modelId, outputName,
          pooling.key());
    }
    if (settings.warmUp()) {
      try {
        infer(WARM_UP_PROMPT);
      } catch (RuntimeException e) {
        close();
        throw new EmbeddingException("warm-up inference failed for " + source.modelDescription()
            + ": " + e.getMessage(), e);
      }
    }
    log.info("embedder {} ready: {} dims, pooling={}, inputs={}, output={}, {} ms", modelId,
        dimension, pooledOutput ? "model" : pooling.key(), inputs.keySet(), outputName,
        (System.nanoTime() - start) / 1_000_000);
  }

  // ---------------------------------------------------------------- loading

  private static HuggingFaceTokenizer loadTokenizer(ModelSource source, int maxTokens) {
    DjlOffline.ensure();
    try {
      LibUtils.checkStatus();
    } catch (RuntimeException | LinkageError e) {
      throw new EmbeddingException("the HuggingFace tokenizers native library could not be"
          + " loaded (it ships inside the ai.djl.huggingface:tokenizers jar for linux-x86_64,"
          + " linux-aarch64, osx-aarch64 and win-x86_64): " + e.getMessage(), e);
    }
    Map<String, String> options = Map.of(
        "addSpecialTokens", "true",
        "truncation", "true",
        "padding", "false",
        "maxLength", Integer.toString(maxTokens),
        "modelMaxLength", Integer.toString(maxTokens));
    try {
      return HuggingFaceTokenizer.newInstance(
          new ByteArrayInputStream(source.tokenizerJson()), options);
    } catch (IOException | RuntimeException e) {
      throw new EmbeddingException(
          "cannot load " + source.tokenizerDescription() + ": " + e.getMessage(), e);
    }
  }

  private static OrtSession loadSession(OrtEnvironment env, ModelSource source, int threads) {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      return source.modelBytes() != null
          ? env.createSession(source.modelBytes(), options)
          : env.createSession(source.modelPath().toString(), options);
    } catch (OrtException | RuntimeException e) {
      throw new EmbeddingException(
          "cannot load " + source.modelDescription() + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, OnnxJavaType> discoverInputs(OrtSession session, ModelSource source)
      throws OrtException {
    Map<String, OnnxJavaType> found = new LinkedHashMap<>();
    for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
      String name = input.getKey();
      if (!Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS).contains(name)) {
        throw new EmbeddingException(source.modelDescription() + " has input '" + name
            + "'; supported inputs are input_ids, attention_mask and token_type_ids");
      }
      OnnxJavaType type = tensorInfo(input.getValue(), source).type;
      if (type != OnnxJavaType.INT64 && type != OnnxJavaType.INT32) {
        throw new EmbeddingException(source.modelDescription() + " input '" + name + "' is "
            + type + "; expected int64 or int32");
      }
      found.put(name, type);
    }
    for (String required : List.of(INPUT_IDS, ATTENTION_MASK)) {
      if (!found.containsKey(required)) {
        throw new EmbeddingException(source.modelDescription() + " has no input '" + required
            + "' (inputs: " + found.keySet() + "); not a BERT/BGE-style encoder");
      }
    }
    return Map.copyOf(found);
  }

  private static TensorInfo tensorInfo(NodeInfo node, ModelSource source) {
    if (node.getInfo() instanceof TensorInfo info) {
      return info;
    }
    throw new EmbeddingException(source.modelDescription() + ": '" + node.getName()
        + "' is not a tensor (" + node.getInfo() + ")");
  }

  private static long[] tensorShape(NodeInfo node, ModelSource source) {
    return tensorInfo(node, source).getShape();
  }

  // ---------------------------------------------------------------- embedding

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public Optional<float[]> embed(String prompt) {
    String text = Normalize.forEmbedding(prompt);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(embedNormalized(text));
  }

  /**
   * Embeds text that is already normalized and non-empty, waiting (bounded) for a slot; null when
   * the text is longer than the model's window.
   */
  float[] embedNormalized(String text) {
    if (closed.get()) {
      throw new EmbeddingException("embedder " + modelId + " is closed");
    }
    boolean acquired;
    try {
      acquired = permits.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddingException("interrupted while waiting for an inference slot", e);
    }
    if (!acquired) {
      throw new EmbeddingException("embedder " + modelId + ": no inference slot within "
          + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms (" + maxConcurrent + " of "
          + maxConcurrent + " busy, about " + permits.getQueueLength() + " waiting); raise"
          + " maxConcurrentInferences or inferenceWaitTimeout, or add capacity");
    }
    try {
      if (closed.get()) {
        throw new EmbeddingException("embedder " + modelId + " is closed");
      }
      return infer(text);
    } finally {
      permits.release();
    }
  }

  /** Tokenizes, runs the model and pools; the caller holds a permit (or is the constructor). */
  private float[] infer(String text) {
    Encoding encoding;
    try {
      encoding = tokenizer.encode(text);
    } catch (RuntimeException e) {
      throw new EmbeddingException("tokenizer failed for " + modelId + ": " + e.getMessage(), e);
    }
    if (encoding.exceedMaxLength()) {
      // A vector of the first maxTokens tokens says nothing of the rest: two long prompts that
      // share a preamble would score 1.0 whatever their endings draw. Such a prompt has no vector,
      // so it is only ever an exact hit.
      truncated.increment();
      return null;
    }
    long[] ids = encoding.getIds();
    long[] mask = encoding.getAttentionMask();
    int tokens = ids.length;
    List<OnnxTensor> tensors = new ArrayList<>(inputs.size());
    try {
      Map<String, OnnxTensor> feed = new LinkedHashMap<>();
      for (Map.Entry<String, OnnxJavaType> input : inputs.entrySet()) {
        long[] values = switch (input.getKey()) {
          case INPUT_IDS -> ids;
          case ATTENTION_MASK -> mask;
          default -> encoding.getTypeIds();
        };
        OnnxTensor tensor = tensor(values, input.getValue());
        tensors.add(tensor);
        feed.put(input.getKey(), tensor);
      }
      float[] vector;
      try (OrtSession.Result result = session.run(feed, Set.of(outputName))) {
        OnnxValue value = result.get(0);
        if (!(value instanceof OnnxTensor output)) {
          throw new EmbeddingException("output '" + outputName + "' is not a tensor");
        }
        FloatBuffer floats = output.getFloatBuffer();
        if (floats == null) {
          throw new EmbeddingException("output '" + outputName + "' is not float32");
        }
        vector = pool(floats, mask, tokens);
      }
      inferences.increment();
      return normalizeL2(vector);
    } catch (OrtException e) {
      throw new EmbeddingException("inference failed for " + modelId + " (" + tokens
          + " tokens): " + e.getMessage(), e);
    } finally {
      for (OnnxTensor tensor : tensors) {
        tensor.close();
      }
    }
  }

  private OnnxTensor tensor(long[] values, OnnxJavaType type) throws OrtException {
    long[] shape = {1, values.length};
    if (type == OnnxJavaType.INT64) {
      return OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
    }
    int[] narrow = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      narrow[i] = (int) values[i];
    }
    return OnnxTensor.createTensor(env, IntBuffer.wrap(narrow), shape);
  }

  private float[] pool(FloatBuffer floats, long[] mask, int tokens) {
    int dim = pooledOutput ? floats.remaining() : floats.remaining() / tokens;
    float[] vector = new float[dim];
    if (pooledOutput || pooling == Pooling.CLS) {
      floats.get(vector, 0, dim);
      return vector;
    }
    double[] sum = new double[dim];
    long counted = 0;
    for (int t = 0; t < tokens; t++) {
      if (mask[t] == 0) {
        continue;
      }
      counted++;
      int base = t * dim;
      for (int d = 0; d < dim; d++) {
        sum[d] += floats.get(base + d);
      }
    }
    for (int d = 0; d < dim; d++) {
      vector[d] = (float) (sum[d] / Math.max(1, counted));
    }
    return vector;
  }

  private float[] normalizeL2(float[] vector) {
    double squares = 0;
    for (float v : vector) {
      squares += (double) v * v;
    }
    double norm = Math.sqrt(squares);
    if (!(norm > 0) || Double.isInfinite(norm)) {
      throw new EmbeddingException("model " + modelId + " produced a vector of norm " + norm);
    }
    for (int i = 0; i < vector.length; i++) {
      vector[i] = (float) (vector[i] / norm);
    }
    return vector;
  }

  /** The inference slots; tests hold one to simulate a busy model. */
  Semaphore permits() {
    return permits;
  }

  /** Prompts refused a vector because they are longer than the model's window. */
  public long tooLong() {
    return truncated.sum();
  }

  /** Number of inferences run, including the warm-up; for tests and metrics. */
  long inferenceCount() {
    return inferences.sum();
  }

  /**
   * Waits (bounded) for running inferences to finish, then releases the native session and
   * tokenizer. Later calls to {@link #embed(String)} throw {@link EmbeddingException}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    boolean drained = false;
    try {
      drained = permits.tryAcquire(maxConcurrent, CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!drained) {
      // Closing under a running inference would free memory native code still uses.
      log.warn("embedder {}: inferences still running after {} s; native session not released",
          modelId, CLOSE_WAIT_SECONDS);
      return;
    }
    closeQuietly(session);
    tokenizer.close();
  }

  private static void closeQuietly(OrtSession session) {
    if (session == null) {
      return;
    }
    try {
      session.close();
    } catch (OrtException | RuntimeException e) {
      log.warn("closing ONNX session failed: {}", e.toString());
    }
  }

  @Override
  public String toString() {
    return "OnnxEmbedder{" + modelId + ", dim=" + dimension + ", pooling="
        + (pooledOutput ? "model" : pooling.key()) + "}";
  }
}
