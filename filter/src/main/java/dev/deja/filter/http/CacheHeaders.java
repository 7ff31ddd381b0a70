package dev.deja.filter.http;

import java.util.Locale;
import java.util.Set;

/** Names and formats of the headers Deja adds to every cacheable response. */
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

  /** Response headers never stored with an entry: per-connection, per-response or Deja's own. */
  static final Set<String> NOT_STORED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "content-length",
          "content-type",
          "date",
          "set-cookie",
          "server",
          "server-timing",
          "cache-status",
          "via");

  private CacheHeaders() {}

  static boolean isOwn(String name) {
    return OWN.contains(name.toLowerCase(Locale.ROOT));
  }

  static boolean isStored(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    // CORS headers echo the first client's Origin: replayed, they would be wrong for others.
    return !NOT_STORED.contains(lower) && !OWN.contains(lower)
        && !lower.startsWith("access-control-");
  }

  /** Similarity or threshold as sent in headers: 4 decimals, dot separator. */
  public static String decimal(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
