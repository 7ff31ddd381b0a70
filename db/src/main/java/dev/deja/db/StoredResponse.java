package dev.deja.db;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A cached response, ready to replay.
 *
 * @param cacheKey exact cache key (hex SHA-256)
 * @param status HTTP status of the stored response
 * @param contentType content type of {@code body}
 * @param headers stored response headers
 * @param body image bytes; for an alias, the target's bytes
 * @param createdAt when the entry was written
 * @param expiresAt when it stops being served, or {@code null} for never
 * @param source origin response or alias
 * @param prompt prompt as sent when the entry was created
 * @param bucket partition, e.g. {@code 576x1024_seed401853749}
 * @param aliasOf key of the entry an alias points at, else {@code null}
 * @param similarity similarity when the alias was created, else {@code null}
 * @param bodySha256 hex SHA-256 of {@code body}, as the blob is stored under it: readers use it
 *     as a strong validator (ETag) without hashing the bytes on every read
 */
public record StoredResponse(
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
    String bodySha256) {}
