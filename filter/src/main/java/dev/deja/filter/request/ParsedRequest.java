package dev.deja.filter.request;

/** What the parser made of an HTTP request. */
public sealed interface ParsedRequest {

  /** Not a cached path or method: the filter passes the request on untouched. */
  record NotCacheable() implements ParsedRequest {}

  /**
   * A cached path whose request the cache cannot key safely (broken encoding, bad number, unknown
   * parameter...). It is passed on to the origin unchanged and never stored.
   *
   * @param reason short reason for headers and logs, e.g. {@code invalid-seed}
   */
  record Invalid(String reason) implements ParsedRequest {}

  /** A cacheable request. */
  record Cacheable(ImageRequest request, CacheKey key, Partition partition)
      implements ParsedRequest {}
}
