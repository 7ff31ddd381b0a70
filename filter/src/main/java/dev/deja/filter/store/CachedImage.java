package dev.deja.filter.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
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
 * @param sha256 hex SHA-256 of {@code body}, the strong validator served as its {@code ETag};
 *     computed once per image (or taken from the store, which keys blobs by it), never per request
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
    Double aliasSimilarity,
    String sha256) {

  /** A null {@code sha256} is computed from the body here, so every instance carries one. */
  public CachedImage {
    headers = Map.copyOf(headers);
    if (sha256 == null) {
      sha256 = sha256Of(body);
    }
  }

  /** An image whose digest is not known yet: it is computed from {@code body} once, here. */
  public CachedImage(
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
    this(
        key, status, contentType, headers, body, createdAt, expiresAt, prompt, aliasOf,
        aliasSimilarity, null);
  }

  /** The same image, reached through an alias created at {@code similarity}. */
  public CachedImage asAliasOf(String targetKey, double similarity) {
    return new CachedImage(
        key, status, contentType, headers, body, createdAt, expiresAt, prompt, targetKey,
        similarity, sha256);
  }

  /**
   * Whether this image stands in for another request's: reached through an alias (a past
   * semantic hit), so it was drawn for a different prompt than the one it answers.
   */
  public boolean isAlias() {
    return aliasOf != null;
  }

  /** Whether this image may be served as an exact hit to a request holding {@code threshold}. */
  public boolean meets(double threshold) {
    return aliasSimilarity == null || aliasSimilarity >= threshold;
  }

  /** Whether the entry may still be served at {@code now}. */
  public boolean isFresh(Instant now) {
    return expiresAt == null || now.isBefore(expiresAt);
  }

  /** Hex SHA-256, the same digest the database keys image blobs by. */
  static String sha256Of(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JRE", e);
    }
  }
}
