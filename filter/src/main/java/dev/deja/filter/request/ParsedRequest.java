package dev.deja.filter.request;

import dev.deja.db.StoredRequest;

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
      implements ParsedRequest {

    /**
     * The request as every store keeps it with an entry or an alias: the prompt, each
     * output-affecting parameter in its own column, and the partition. Mapped here, once, so an
     * entry and an alias are described the same way whichever store holds them.
     *
     * @param normalizedPrompt the prompt as embedded
     */
    public StoredRequest stored(String normalizedPrompt) {
      return new StoredRequest(
          request.prompt(),
          normalizedPrompt,
          request.model(),
          request.width(),
          request.height(),
          request.seed(),
          request.param("quality"),
          request.param("negative_prompt"),
          Partition.imageInputsHash(request),
          request.params(),
          partition.bucket());
    }
  }
}
