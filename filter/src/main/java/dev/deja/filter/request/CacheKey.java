package dev.deja.filter.request;

import dev.deja.db.Sha256;
import java.util.Map;

/**
 * The exact-cache key: SHA-256 (hex) of the canonical form of an {@link ImageRequest}.
 *
 * @param value 64 lowercase hex characters
 */
public record CacheKey(String value) {

  public CacheKey {
    if (value == null || !isHex64(value)) {
      throw new IllegalArgumentException("cache key must be 64 lowercase hex characters: " + value);
    }
  }

  /**
   * Computes the key of a request. The canonical form lists every field on its own line, name and
   * value separated by '=' and each value length-prefixed, so no two different requests can
   * produce the same text.
   *
   * <p>A prompt given in the query adds a {@code prompt-location} line; a path-style request has
   * none, so the keys of path-style requests, the common form, are those stored before the
   * location became part of the key.
   */
  public static CacheKey of(ImageRequest request) {
    StringBuilder canonical = new StringBuilder(256);
    field(canonical, "path", request.path());
    if (request.promptLocation() == ImageRequest.PromptLocation.QUERY) {
      field(canonical, "prompt-location", "query");
    }
    field(canonical, "prompt", request.prompt());
    field(canonical, "model", request.model());
    field(canonical, "width", Integer.toString(request.width()));
    field(canonical, "height", Integer.toString(request.height()));
    field(canonical, "seed", request.seed() == null ? "" : request.seed().toString());
    for (Map.Entry<String, String> p : request.params().entrySet()) {
      field(canonical, "param." + p.getKey(), p.getValue());
    }
    for (String image : request.imageInputs()) {
      field(canonical, "image", image);
    }
    if (request.tenant() != null) {
      field(canonical, "tenant", request.tenant());
    }
    return new CacheKey(sha256Hex(canonical.toString()));
  }

  // By hand: String.matches compiled a pattern for every key made on the request path.
  private static boolean isHex64(String value) {
    if (value.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = value.charAt(i);
      if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  /** Lowercase hex SHA-256 of the UTF-8 bytes of {@code text}. */
  public static String sha256Hex(String text) {
    return Sha256.hex(text);
  }

  private static void field(StringBuilder out, String name, String value) {
    out.append(name).append('=').append(value.length()).append(':').append(value).append('\n');
  }

  @Override
  public String toString() {
    return value;
  }
}
