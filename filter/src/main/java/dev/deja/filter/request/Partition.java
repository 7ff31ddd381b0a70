package dev.deja.filter.request;

import java.util.Map;

/**
 * The semantic partition ("bucket") of a request: every output-affecting parameter except the
 * prompt. A semantic hit is only ever taken from the same partition and model.
 *
 * <p>The bucket is readable for the common parameters ({@code 576x1024_seed401853749},
 * {@code 1024x1024_unseeded}) and ends with a hash of all the others (quality, negative prompt,
 * the whole input-image list, tenant...), so no parameter is truncated or dropped: the original
 * system kept 8 characters of the input-image URL and served one edit for another.
 *
 * @param bucket the readable partition string stored with every entry
 * @param model the model; compared as its own column
 * @param width width in pixels
 * @param height height in pixels
 * @param seed the seed, or null for the unseeded partition
 * @param paramsHash hash of every other output-affecting parameter, or null when there are none
 */
public record Partition(
    String bucket, String model, int width, int height, Long seed, String paramsHash) {

  /** The one place where the partition of a request is computed. */
  public static Partition of(ImageRequest request) {
    StringBuilder bucket = new StringBuilder(64);
    bucket.append(request.width()).append('x').append(request.height()).append('_');
    bucket.append(request.seed() == null ? "unseeded" : "seed" + request.seed());
    String paramsHash = otherParamsHash(request);
    if (paramsHash != null) {
      bucket.append("_p").append(paramsHash);
    }
    return new Partition(
        bucket.toString(),
        request.model(),
        request.width(),
        request.height(),
        request.seed(),
        paramsHash);
  }

  /** Hash of the parameters that have no readable part in the bucket; null when there are none. */
  private static String otherParamsHash(ImageRequest request) {
    boolean otherRoute = !RequestRules.DEFAULT_ROUTE.equals(request.path());
    // The origin may well draw /prompt/?prompt=x differently from /prompt/x: never share images
    // between the two. Path-style requests add nothing, so their existing buckets stay valid.
    boolean promptInQuery = request.promptLocation() == ImageRequest.PromptLocation.QUERY;
    if (request.params().isEmpty() && request.imageInputs().isEmpty() && request.tenant() == null
        && !otherRoute && !promptInQuery) {
      return null;
    }
    StringBuilder canonical = new StringBuilder();
    if (otherRoute) {
      canonical.append("path=").append(request.path().length()).append(':');
      canonical.append(request.path()).append('\n');
    }
    if (promptInQuery) {
      canonical.append("prompt-location=5:query\n");
    }
    for (Map.Entry<String, String> p : request.params().entrySet()) {
      canonical.append(p.getKey()).append('=').append(p.getValue().length()).append(':');
      canonical.append(p.getValue()).append('\n');
    }
    for (String image : request.imageInputs()) {
      canonical.append("image=").append(image.length()).append(':').append(image).append('\n');
    }
    if (request.tenant() != null) {
      canonical.append("tenant=").append(request.tenant().length()).append(':');
      canonical.append(request.tenant()).append('\n');
    }
    // 128 bits: readable enough for psql, far beyond any collision risk at cache scale.
    return CacheKey.sha256Hex(canonical.toString()).substring(0, 32);
  }

  /** Hash of the whole input-image list, for the entry's own column; null when there is none. */
  public static String imageInputsHash(ImageRequest request) {
    if (request.imageInputs().isEmpty()) {
      return null;
    }
    return CacheKey.sha256Hex(String.join("\n", request.imageInputs()));
  }
}
