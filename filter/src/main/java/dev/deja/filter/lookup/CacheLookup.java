package dev.deja.filter.lookup;

import dev.deja.db.CacheUnavailableException;
import dev.deja.db.Neighbor;
import dev.deja.db.objects.ObjectStore;
import dev.deja.db.StoredResponse;
import dev.deja.filter.embed.Embedder;
import dev.deja.filter.match.MatchVerdict;
import dev.deja.filter.match.SemanticMatcher;
import dev.deja.filter.request.ParsedRequest.Cacheable;
import dev.deja.db.CacheStore;
import dev.deja.filter.store.CircuitBreaker;
import dev.deja.filter.store.HotCache;
import dev.deja.filter.store.RateLimitedLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exact, then semantic. Never throws for a store or model failure: those become a {@link
 * LookupResult.Miss} that says the cache was unavailable, and the request goes to the origin.
 *
 * <p>The embedding starts after the exact probe, not during it: overlapping the two was measured
 * (issue 14, branch one-round-trip-early-embed) and was not faster on 2 cores, since the probe is
 * one round trip (~0.25 ms with hasCandidates) and the hand-off to another thread costs a wake-up.
 */
public final class CacheLookup {

  private static final Logger LOG = LoggerFactory.getLogger(CacheLookup.class);
  /** Reason shown when the database could not be asked. */
  public static final String CACHE_UNAVAILABLE = "cache-unavailable";
  /** The database answered but the object store holding the image did not. */
  public static final String OBJECT_STORE_UNAVAILABLE = "object-store-unavailable";

  /** Whether a miss's detail says a store could not be asked (as opposed to another error). */
  public static boolean storeUnavailable(String detail) {
    return CACHE_UNAVAILABLE.equals(detail) || OBJECT_STORE_UNAVAILABLE.equals(detail);
  }

  /** The {@code Cache-Status} detail for a store failure: which store failed. */
  public static String unavailableDetail(RuntimeException e) {
    return e instanceof CacheUnavailableException cue
            && ObjectStore.COMPONENT.equals(cue.component())
        ? OBJECT_STORE_UNAVAILABLE
        : CACHE_UNAVAILABLE;
  }
  /** Reason shown when the lookup itself failed (a bug, not an outage). */
  public static final String LOOKUP_ERROR = "cache-error";

  /** How semantic lookup treats requests without a seed. */
  public enum UnseededPolicy {
    /** Unseeded requests share their own "unseeded" partition. */
    SEMANTIC,
    /** Unseeded requests are only ever exact hits. */
    EXACT_ONLY
  }

  private final CacheStore store;
  private final HotCache hot;
  private final Embedder embedder;
  private final SemanticMatcher matcher;
  private final CircuitBreaker breaker;
  private final boolean semanticEnabled;
  private final UnseededPolicy unseeded;
  private final int candidates;
  private final Clock clock;
  private final Duration staleIfError;
  /** Computes, off the request path, the vector an empty partition's miss will store. */
  private final Executor embedAhead;
  private final RateLimitedLog failures = new RateLimitedLog(LOG, Duration.ofMinutes(1));

  public CacheLookup(
      CacheStore store,
      HotCache hot,
      Embedder embedder,
      SemanticMatcher matcher,
      CircuitBreaker breaker,
      boolean semanticEnabled,
      UnseededPolicy unseeded,
      int candidates,
      Clock clock,
      Duration staleIfError,
      Executor embedAhead) {
    this.staleIfError = staleIfError;
    this.store = store;
    this.embedAhead = embedAhead;
    this.hot = hot;
    this.embedder = embedder;
    this.matcher = matcher;
    this.breaker = breaker;
    this.semanticEnabled = semanticEnabled && embedder != null;
    this.unseeded = unseeded;
    this.candidates = candidates;
    this.clock = clock;
  }

  /** Looks the request up: exact, then semantic. Never throws. */
  public LookupResult lookup(Cacheable request, LookupOptions options) {
    long start = System.nanoTime();
    double threshold = effectiveThreshold(options);
    try {
      return lookup(request, threshold, start);
    } catch (RuntimeException e) {
      // A bug in a guard or a model binding must cost a cache hit, never the request.
      failures.warn("lookup-error", "Deja: lookup failed unexpectedly, answering from the origin", e);
      return new LookupResult.Miss(
          null, null, null, threshold, LOOKUP_ERROR, new Timings(System.nanoTime() - start, 0, 0),
          null);
    }
  }

  private LookupResult lookup(Cacheable request, double threshold, long start) {
    Instant now = clock.instant();

    StoredResponse hit = hot.get(request.key().value(), now);
    if (hit != null && hit.meets(threshold)) {
      return new LookupResult.ExactHit(hit, new Timings(System.nanoTime() - start, 0, 0));
    }
    if (!breaker.allowRequest()) {
      return unavailable(null, threshold, start, 0, 0);
    }
    StoredResponse stale = null;
    try {
      long readStarted = hot.readStarts();
      Optional<StoredResponse> stored = store.findExactOrStale(request.key().value(), staleIfError);
      breaker.recordSuccess();
      if (stored.isPresent() && stored.get().meets(threshold)) {
        if (stored.get().isFresh(now)) {
          hot.putRead(request.key().value(), stored.get(), readStarted);
          return new LookupResult.ExactHit(
              stored.get(), new Timings(System.nanoTime() - start, 0, 0));
        }
        stale = stored.get();
      }
    } catch (RuntimeException e) {
      return storeFailed(e, null, threshold, start, 0, 0);
    }
    LookupResult result =
        semanticApplies(request)
            ? semantic(request, threshold, start, now)
            : miss(null, null, null, threshold, start, 0, 0);
    return stale != null && result instanceof LookupResult.Miss miss
        ? miss.withStale(stale)
        : result;
  }

  private LookupResult semantic(Cacheable request, double threshold, long start, Instant now) {
    // An empty partition (a fresh seed, a new size) cannot hit: skip the embedding, which costs
    // far more than this indexed probe. The store computes the vector in the background.
    long probeStart = System.nanoTime();
    try {
      boolean any =
          store.hasCandidates(
              request.partition().bucket(), request.partition().model(), embedder.modelId());
      breaker.recordSuccess();
      if (!any) {
        embedWhileTheOriginWorks(request.request().prompt());
        return miss(null, null, null, threshold, start, 0, System.nanoTime() - probeStart);
      }
    } catch (RuntimeException e) {
      return storeFailed(e, null, threshold, start, 0, System.nanoTime() - probeStart);
    }
    long probeNanos = System.nanoTime() - probeStart;

    long embedStart = System.nanoTime();
    float[] vector;
    try {
      Optional<float[]> embedded = embedder.embed(request.request().prompt());
      if (embedded.isEmpty()) {
        return miss(null, null, null, threshold, start, System.nanoTime() - embedStart, 0);
      }
      vector = embedded.get();
    } catch (RuntimeException e) { // EmbeddingException, or a failure inside the runtime
      failures.warn("embed-failed", "Deja: embedding failed, semantic lookup skipped", e);
      return miss(null, null, null, threshold, start, System.nanoTime() - embedStart, 0);
    }
    long embedNanos = System.nanoTime() - embedStart;

    if (!breaker.allowRequest()) {
      return unavailable(vector, threshold, start, embedNanos, 0);
    }
    long searchStart = System.nanoTime();
    long readStarted = hot.readStarts();
    List<Neighbor> neighbours;
    try {
      neighbours =
          store.findNearest(
              request.partition().bucket(),
              request.partition().model(),
              embedder.modelId(),
              vector,
              candidates);
      breaker.recordSuccess();
    } catch (RuntimeException e) {
      return storeFailed(e, vector, threshold, start, embedNanos, System.nanoTime() - searchStart);
    }
    long searchNanos = System.nanoTime() - searchStart + probeNanos;

    Neighbor best = null;
    MatchVerdict bestRefusal = null;
    SemanticMatcher.Request decisions = matcher.forRequest(request.request().prompt());
    for (Neighbor candidate : neighbours) {
      MatchVerdict verdict =
          decisions.decide(candidate.prompt(), candidate.similarity(), threshold);
      if (!verdict.accepted()) {
        if (best == null) {
          best = candidate;
          bestRefusal = verdict;
        }
        continue;
      }
      try {
        // Popular images are often in memory already: save the database round trip.
        StoredResponse inMemory = hot.get(candidate.cacheKey(), now);
        Optional<StoredResponse> image =
            inMemory != null ? Optional.of(inMemory) : store.findExact(candidate.cacheKey());
        if (image.isPresent() && image.get().isFresh(now)) {
          Timings timings = new Timings(System.nanoTime() - start, embedNanos, searchNanos);
          return new LookupResult.SemanticHit(
              image.get(), candidate, threshold, verdict, vector, timings, readStarted);
        }
      } catch (RuntimeException e) {
        return storeFailed(e, vector, threshold, start, embedNanos, searchNanos);
      }
    }
    return miss(vector, best, bestRefusal, threshold, start, embedNanos, searchNanos);
  }

  /**
   * Warms the embedder's cache while the origin generates the image (seconds), so the background
   * store finds the vector ready and the entry is searchable as soon as possible. Best effort: when
   * the executor is busy, the store computes the vector itself.
   */
  private void embedWhileTheOriginWorks(String prompt) {
    try {
      embedAhead.execute(
          () -> {
            try {
              embedder.embed(prompt);
            } catch (RuntimeException e) {
              failures.warn("embed-ahead-failed", "Deja: embedding ahead of the store failed", e);
            }
          });
    } catch (RejectedExecutionException e) {
      // Busy: the store will embed the prompt itself.
    }
  }

  /**
   * The {@code k} nearest entries of the request's partition with the matcher's verdict on each,
   * for {@code explain}; empty when semantic lookup does not apply to the request.
   */
  public List<Explanation.Neighbour> neighbours(Cacheable request, double threshold, int k) {
    if (!semanticApplies(request)) {
      return List.of();
    }
    Optional<float[]> vector = embedder.embed(request.request().prompt());
    if (vector.isEmpty()) {
      return List.of();
    }
    List<Explanation.Neighbour> out = new java.util.ArrayList<>();
    SemanticMatcher.Request decisions = matcher.forRequest(request.request().prompt());
    for (Neighbor c :
        store.findNearest(
            request.partition().bucket(),
            request.partition().model(),
            embedder.modelId(),
            vector.get(),
            k)) {
      MatchVerdict v = decisions.decide(c.prompt(), c.similarity(), threshold);
      out.add(
          new Explanation.Neighbour(c.cacheKey(), c.prompt(), c.similarity(), v.accepted(), v.reason()));
    }
    return out;
  }

  private boolean semanticApplies(Cacheable request) {
    return semanticEnabled
        && (request.request().seeded() || unseeded != UnseededPolicy.EXACT_ONLY);
  }

  /** The configured threshold, or the request's when it is stricter (a request never loosens). */
  public double effectiveThreshold(LookupOptions options) {
    Double asked = options.threshold();
    return matcher.effectiveThreshold(asked == null ? Double.NaN : asked);
  }

  private LookupResult storeFailed(
      RuntimeException e, float[] vector, double threshold, long start, long embed, long search) {
    breaker.recordFailure();
    failures.warn("lookup-failed", "Deja: cache lookup failed, answering from the origin", e);
    return unavailable(unavailableDetail(e), vector, threshold, start, embed, search);
  }

  private static LookupResult unavailable(
      float[] vector, double threshold, long start, long embed, long search) {
    return unavailable(CACHE_UNAVAILABLE, vector, threshold, start, embed, search);
  }

  private static LookupResult unavailable(
      String detail, float[] vector, double threshold, long start, long embed, long search) {
    return new LookupResult.Miss(
        vector,
        null,
        null,
        threshold,
        detail,
        new Timings(System.nanoTime() - start, embed, search),
        null);
  }

  private static LookupResult miss(
      float[] vector,
      Neighbor best,
      MatchVerdict refusal,
      double threshold,
      long start,
      long embed,
      long search) {
    return new LookupResult.Miss(
        vector, best, refusal, threshold, null, new Timings(System.nanoTime() - start, embed, search),
        null);
  }
}
