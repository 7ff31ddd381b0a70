package dev.deja.server.console;

import dev.deja.filter.DejaCache;
import dev.deja.filter.lookup.Explanation;
import dev.deja.filter.lookup.LookupOptions;
import dev.deja.filter.lookup.LookupResult;
import dev.deja.filter.request.ParsedRequest;
import dev.deja.filter.request.QueryString;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the cache would do for {@code GET /prompt/{prompt}?...}, without calling the origin: the
 * one explain the JSON endpoint ({@code GET explain}) and the console's explain page both show.
 */
public final class Explainer {

  /** Neighbours an explanation shows. */
  public static final int NEIGHBOURS = 5;

  private final DejaCache cache;

  public Explainer(DejaCache cache) {
    this.cache = cache;
  }

  /**
   * What the cache decides for one request.
   *
   * @param prompt the prompt as sent
   * @param verdict {@code bypass}, {@code exact-hit}, {@code semantic-hit} or {@code miss}
   * @param reason why
   * @param key the request's cache key, or {@code null} for a bypass
   * @param bucket its partition, or {@code null} for a bypass
   * @param model the request's model, or {@code null} for a bypass
   * @param seeded whether the request names a seed
   * @param threshold the similarity threshold in force, NaN for a bypass
   * @param matchedKey for a semantic hit, the entry that would answer
   * @param similarity for a semantic hit, its similarity, else NaN
   * @param neighbours the nearest entries and the matcher's verdict on each
   */
  public record Result(String prompt, String verdict, String reason, String key, String bucket,
      String model, boolean seeded, double threshold, String matchedKey, double similarity,
      List<Explanation.Neighbour> neighbours) {

    /** Whether the request is cacheable at all. */
    public boolean cacheable() {
      return key != null;
    }
  }

  /**
   * Explains a request made of {@code prompt} and the other query parameters.
   *
   * @param rawQuery the query string, its {@code prompt} parameter ignored
   * @param tenant the caller's tenant header value, or {@code null}
   */
  public Result explain(String prompt, String rawQuery, String tenant) {
    String query = QueryString.parse(rawQuery).without("prompt").raw();
    // Explained as a GET on the first cached route, with the caller's tenant when tenancy is on.
    String route = cache.config().rules().pathPrefixes().get(0);
    String path = route + URLEncoder.encode(prompt, StandardCharsets.UTF_8).replace("+", "%20");
    ParsedRequest parsed = cache.parse("GET", path, query, tenant);
    if (parsed instanceof ParsedRequest.Invalid invalid) {
      return bypass(prompt, invalid.reason());
    }
    if (!(parsed instanceof ParsedRequest.Cacheable c)) {
      return bypass(prompt, "not-cacheable");
    }
    LookupOptions options = LookupOptions.defaults();
    double threshold = cache.threshold(options);
    String key = c.key().value();
    String bucket = c.partition().bucket();
    String model = c.request().model();
    boolean seeded = c.request().seeded();
    Explanation explanation;
    try {
      explanation = cache.explain(c, options, NEIGHBOURS);
    } catch (RuntimeException e) {
      return new Result(prompt, "miss", "cache-unavailable: " + e.getMessage(), key, bucket, model,
          seeded, threshold, null, Double.NaN, List.of());
    }
    LookupResult decision = explanation.decision();
    String verdict;
    String reason;
    String matchedKey = null;
    double similarity = Double.NaN;
    if (decision instanceof LookupResult.ExactHit) {
      verdict = "exact-hit";
      reason = "exact key present";
    } else if (decision instanceof LookupResult.SemanticHit s) {
      verdict = "semantic-hit";
      reason = s.verdict().reason();
      matchedKey = s.candidate().cacheKey();
      similarity = s.candidate().similarity();
    } else {
      LookupResult.Miss miss = (LookupResult.Miss) decision;
      verdict = "miss";
      reason = miss.unavailable() != null
          ? miss.unavailable()
          : miss.refusal() != null ? miss.refusal().reason() : "no-candidate";
    }
    return new Result(prompt, verdict, reason, key, bucket, model, seeded, threshold, matchedKey,
        similarity, explanation.neighbours());
  }

  private static Result bypass(String prompt, String reason) {
    return new Result(prompt, "bypass", reason, null, null, null, false, Double.NaN, null,
        Double.NaN, List.of());
  }
}
