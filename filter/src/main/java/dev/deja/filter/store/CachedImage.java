package dev.deja.filter.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stored response, ready to be served.
 *
 * @param key the exact key of the entry that was found (an alias has its own key)
 * @param status HTTP status (always 200 today)
 * @param contentType content type of the body
 * @param headers stored end-to-end response headers worth replaying
 * @param body the image bytes; never modified after construction
 * @param createdAt when the origin produced the image (the base of {@code Age})
 * @param expiresAt when the entry stops being served, or null for never
 * @param prompt the prompt the image was generated for
 */
public record CachedImage(
    String key,
    int status,
    String contentType,
    Map<String, List<String>> headers,
    byte[] body,
    Instant createdAt,
    Instant expiresAt,
    String prompt) {

  public CachedImage {
    headers = Map.copyOf(headers);
  }

  /** Whether the entry may still be served at {@code now}. */
  public boolean isFresh(Instant now) {
    return expiresAt == null || now.isBefore(expiresAt);
  }
}
