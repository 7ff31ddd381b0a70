package dev.deja.db;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Test data with realistic structure: hex keys, entries, images (vectors: {@code TestVectors}). */
final class Fixtures {

  static final String MODEL = "flux-schnell";
  static final String EMBEDDER = "bge-small-en-v1.5";

  private Fixtures() {}

  static String key(String seed) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(seed.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] image(Random r, int size) {
    byte[] b = new byte[size];
    r.nextBytes(b);
    return b;
  }

  static NewEntry entry(String key, String prompt, String bucket, float[] embedding,
      Instant expiresAt) {
    return entry(key, prompt, MODEL, bucket, embedding, expiresAt);
  }

  static NewEntry entry(String key, String prompt, String model, String bucket,
      float[] embedding, Instant expiresAt) {
    return new NewEntry(key, new StoredRequest(prompt, prompt.toLowerCase(), model, 1024, 576,
        null, "standard", null, null, Map.of("steps", "4"), bucket), embedding,
        embedding == null ? null : EMBEDDER, 200, "image/png",
        Map.of("X-Origin", List.of("test")), expiresAt);
  }
}
