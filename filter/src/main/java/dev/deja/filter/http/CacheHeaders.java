package dev.deja.filter.http;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Names and formats of the headers Deja adds to every cacheable response, and which of the
 * origin's headers it stores.
 */
public final class CacheHeaders {

  /** RFC 9211 cache status; Deja's member is named {@code deja}. */
  public static final String CACHE_STATUS = "Cache-Status";
  /** {@code HIT}, {@code MISS} or {@code BYPASS}, as the original system sent. */
  public static final String X_CACHE = "X-Cache";
  /** {@code exact} or {@code semantic} on hits. */
  public static final String X_CACHE_TYPE = "X-Cache-Type";
  /** Exact key of the request (hex SHA-256). */
  public static final String X_CACHE_KEY = "X-Cache-Key";
  /** Similarity of the served semantic hit, 4 decimals. */
  public static final String X_SEMANTIC_SIMILARITY = "X-Semantic-Similarity";
  /** The threshold the request was held to. */
  public static final String X_SEMANTIC_THRESHOLD = "X-Semantic-Threshold";
  /** The request's partition. */
  public static final String X_SEMANTIC_BUCKET = "X-Semantic-Bucket";
  /** On a miss: similarity of the best candidate that was refused. */
  public static final String X_SEMANTIC_BEST_SIMILARITY = "X-Semantic-Best-Similarity";
  /** Verdict of the match guard on the best candidate: {@code ok} or the refusal reason. */
  public static final String X_SEMANTIC_GUARD = "X-Semantic-Guard";
  /** On a semantic hit: the prompt whose image was served. */
  public static final String X_SEMANTIC_MATCHED_KEY = "X-Semantic-Matched-Key";
  /**
   * On a forwarded request whose semantic hit was not served (shadow mode, outside the rollout):
   * {@code would-hit; matched=<key>}.
   */
  public static final String X_SEMANTIC_SHADOW = "X-Semantic-Shadow";
  /** A request may tighten the semantic threshold with this header (never loosen it). */
  public static final String X_DEJA_THRESHOLD = "X-Deja-Threshold";

  /** Headers that belong to Deja: an origin's values for them are not passed on or stored. */
  static final Set<String> OWN =
      Set.of(
          "x-cache",
          "x-cache-type",
          "x-cache-key",
          "x-semantic-similarity",
          "x-semantic-threshold",
          "x-semantic-bucket",
          "x-semantic-best-similarity",
          "x-semantic-guard",
          "x-semantic-matched-key",
          "x-semantic-shadow",
          "age");

  /**
   * Origin headers stored with an entry and replayed on its hits: lifetime and presentation of
   * the image, nothing about the exchange that produced it. Content-Type has a column of its own;
   * the operator may add names with the {@code storedHeaders} setting (see {@link StoredHeaders}).
   *
   * <p>The origin's {@code ETag} and {@code Last-Modified} are deliberately not here: Deja sends
   * validators of its own on every hit (the image's SHA-256 and the entry's creation time), which
   * hold for every URL the image answers, semantic ones included. The origin's would validate
   * its own representation of one prompt, and a second ETag would contradict the first.
   */
  public static final Set<String> STORED =
      Set.of("cache-control", "expires", "content-disposition", "content-language");

  /**
   * Headers a hit generates from the stored image itself; the origin's values are never
   * replayed, whatever the operator adds.
   */
  static final Set<String> GENERATED =
      Set.of(
          "content-type",
          "content-length",
          "content-range",
          "accept-ranges",
          "etag",
          "last-modified",
          "age");

  /**
   * Headers never stored, even if an operator names them: per-connection, per-response,
   * credentials and per-client answers (CORS headers echo the first client's Origin).
   */
  static final Set<String> NEVER_STORED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "authorization",
          "www-authenticate",
          "authentication-info",
          "proxy-authentication-info",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "date",
          "set-cookie",
          "set-cookie2",
          "server",
          "server-timing",
          "cache-status",
          "via",
          "vary",
          "content-encoding");

  private CacheHeaders() {}

  /** The first value of a header, by case-insensitive name, or null. */
  public static String firstValue(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> h : headers.entrySet()) {
      if (h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
        return h.getValue().get(0);
      }
    }
    return null;
  }

  static boolean isOwn(String name) {
    return OWN.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * Whether a response header may be captured for storage under some configuration. The final
   * say is the allow-list of {@link StoredHeaders}, applied when the entry is kept and again when
   * it is served (so rows stored by older versions are filtered too).
   */
  static boolean isStored(String name) {
    return whyNeverStored(name) == null;
  }

  /**
   * Why Deja never stores or replays a response header, or null when an operator may allow it.
   * Used to reject a {@code storedHeaders} setting that could leak one client's answer to others.
   */
  public static String whyNeverStored(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (NEVER_STORED.contains(lower) || lower.startsWith("access-control-")) {
      return "it belongs to one exchange or one client";
    }
    if (OWN.contains(lower)) {
      return "Deja sets it";
    }
    if (GENERATED.contains(lower)) {
      return "Deja generates it from the stored image";
    }
    return null;
  }

  /** Similarity or threshold as sent in headers: 4 decimals, dot separator. */
  public static String decimal(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
