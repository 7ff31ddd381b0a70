package dev.deja.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A cached response, ready to replay: what every store returns for an exact lookup, and what the
 * filter keeps in its in-memory tier and serves. One record for both, so a column read from the
 * store cannot be lost on the way to the response.
 *
 * @param cacheKey exact key of the entry that was found (an alias has its own key)
 * @param status HTTP status of the stored response
 * @param contentType content type of {@code body}
 * @param headers stored end-to-end response headers worth replaying
 * @param image the image (for an alias, the target's): bytes in memory, or an object in an object
 *     store that is streamed when served; in-memory bytes are never modified after construction
 * @param createdAt when the entry was written: the base of {@code Age}
 * @param expiresAt when it stops being served, or {@code null} for never
 * @param source origin response or alias
 * @param prompt prompt as sent when the entry was created
 * @param bucket partition, e.g. {@code 576x1024_seed401853749}
 * @param aliasOf for an image reached through an alias (a past semantic hit): the key of the entry
 *     it was generated for; {@code null} for an origin entry
 * @param similarity for an alias: the similarity at which it was accepted, so a request asking for
 *     a stricter threshold does not get it as an exact hit; else {@code null}
 * @param bodySha256 hex SHA-256 of {@code body}, the digest blobs are stored under and the strong
 *     validator ({@code ETag}) served for it; {@code null} here means "compute it from the body",
 *     so it is hashed once per image, never per request
 */
public record StoredResponse(
    String cacheKey,
    int status,
    String contentType,
    Map<String, List<String>> headers,
    ImageBody image,
    Instant createdAt,
    Instant expiresAt,
    EntrySource source,
    String prompt,
    String bucket,
    String aliasOf,
    Double similarity,
    String bodySha256) {

  /**
   * Every instance carries its digest: a null {@code bodySha256} is computed from in-memory bytes
   * (an object-store image always comes with the digest its row is keyed by).
   */
  public StoredResponse {
    java.util.Objects.requireNonNull(image, "image");
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    if (bodySha256 == null) {
      if (image.inMemory() == null) {
        throw new IllegalArgumentException("an object-store image needs its SHA-256");
      }
      bodySha256 = sha256Of(image.inMemory());
    }
  }

  /** A response whose image bytes are in memory. */
  public StoredResponse(
      String cacheKey,
      int status,
      String contentType,
      Map<String, List<String>> headers,
      byte[] body,
      Instant createdAt,
      Instant expiresAt,
      EntrySource source,
      String prompt,
      String bucket,
      String aliasOf,
      Double similarity,
      String bodySha256) {
    this(cacheKey, status, contentType, headers, ImageBody.of(body), createdAt, expiresAt, source,
        prompt, bucket, aliasOf, similarity, bodySha256);
  }

  /**
   * The image's bytes; an object-store image is read whole, so callers on the serving path use
   * {@link #image()} to stream it instead.
   */
  public byte[] body() {
    try {
      return image.readAll();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same image, reached through an alias created at {@code aliasSimilarity}. */
  public StoredResponse asAliasOf(String targetKey, double aliasSimilarity) {
    return new StoredResponse(cacheKey, status, contentType, headers, image, createdAt, expiresAt,
        EntrySource.ALIAS, prompt, bucket, targetKey, aliasSimilarity, bodySha256);
  }

  /**
   * Whether this image stands in for another request's: reached through an alias (a past semantic
   * hit), so it was drawn for a different prompt than the one it answers.
   */
  public boolean isAlias() {
    return aliasOf != null;
  }

  /** Whether this image may be served as an exact hit to a request holding {@code threshold}. */
  public boolean meets(double threshold) {
    return similarity == null || similarity >= threshold;
  }

  /** Whether the entry may still be served at {@code now}. */
  public boolean isFresh(Instant now) {
    return expiresAt == null || now.isBefore(expiresAt);
  }

  /** Hex SHA-256 of {@code bytes}, the digest image blobs are keyed by in every store. */
  public static String sha256Of(byte[] bytes) {
    return Sha256.hex(bytes);
  }
}
