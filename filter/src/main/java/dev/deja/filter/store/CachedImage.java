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
 * @param aliasOf for an image reached through an alias (a past semantic hit): the key of the
 *     entry it was generated for; null for an origin entry
 * @param aliasSimilarity for an alias: the similarity at which it was accepted; a request that
 *     asks for a stricter threshold does not get it as an exact hit
 */
public record CachedImage(
    String key,
    int status,
    String contentType,
    Map<String, List<String>> headers,
    byte[] body,
    Instant createdAt,
    Instant expiresAt,
    String prompt,
    String aliasOf,
    Double aliasSimilarity) {

  public CachedImage {
    headers = Map.copyOf(headers);
  }

  /** The same image, reached through an alias created at {@code similarity}. */
  public CachedImage asAliasOf(String targetKey, double similarity) {
    return new CachedImage(
        key, status, contentType, headers, body, createdAt, expiresAt, prompt, targetKey,
        similarity);
  }

  /** Whether this image may be served as an exact hit to a request holding {@code threshold}. */
  public boolean meets(double threshold) {
    return aliasSimilarity == null || aliasSimilarity >= threshold;
  }

  /** Whether the entry may still be served at {@code now}. */
  public boolean isFresh(Instant now) {
    return expiresAt == null || now.isBefore(expiresAt);
  }
}
