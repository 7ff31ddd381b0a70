package dev.deja.filter;

import dev.deja.db.StoredResponse;
import dev.deja.filter.lookup.CacheLookup;
import dev.deja.db.CacheUnavailableException;
import dev.deja.db.ImageMissingException;
import dev.deja.db.FlightClaims;
import dev.deja.filter.http.CacheHeaders;
import dev.deja.filter.http.ClusterFlight;
import dev.deja.filter.http.CapturingResponse;
import dev.deja.filter.http.OriginPolicy;
import dev.deja.filter.http.SingleFlight;
import dev.deja.filter.http.StoredImageResponse;
import dev.deja.filter.lookup.LookupOptions;
import dev.deja.filter.lookup.LookupResult;
import dev.deja.filter.lookup.Timings;
import dev.deja.filter.request.ParsedRequest.Cacheable;
import dev.deja.filter.request.ParsedRequest;
import dev.deja.filter.request.QueryString;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Deja semantic cache as a Jakarta Servlet filter: exact hit, else semantic hit, else the rest
 * of the chain (an origin proxy, or the application's own image servlet), whose answer is streamed
 * to the client and stored in the background.
 *
 * <p>Requests outside the cached paths and methods other than GET and HEAD pass through untouched.
 * Nothing the cache does can fail a request: when the database, the model or the store fail, the
 * request is answered by the chain and {@code Cache-Status} says why it was not cached.
 *
 * <p>Register it programmatically with {@link #DejaFilter(DejaCache)}, or declare it in {@code
 * web.xml} and configure it with init-params (see {@link FilterSettings}).
 */
public class DejaFilter implements Filter {

  /** {@code Cache-Status} detail of a hit whose image object was gone: the origin answered. */
  static final String IMAGE_MISSING = "image-missing";

  private static final Logger LOG = LoggerFactory.getLogger(DejaFilter.class);
  private static final Pattern NO_CACHE = Pattern.compile("(?i)(^|,)\\s*no-cache\\b");
  private static final Pattern NO_STORE = Pattern.compile("(?i)(^|,)\\s*no-store\\b");
  /** Rounds of waiting a follower takes part in before it goes to the origin alone. */
  private static final int FLIGHT_ROUNDS = 2;

  private DejaCache cache;
  private boolean ownsCache;

  /** For {@code web.xml}: the cache is built from init-params in {@link #init(FilterConfig)}. */
  public DejaFilter() {}

  /** For programmatic registration: the filter uses, but does not close, this cache. */
  public DejaFilter(DejaCache cache) {
    this.cache = cache;
  }

  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    if (cache != null) {
      return;
    }
    try {
      cache = FilterSettings.fromFilterConfig(filterConfig).open();
      ownsCache = true;
    } catch (RuntimeException e) {
      throw new ServletException("Deja filter could not start: " + e.getMessage(), e);
    }
  }

  /** The cache this filter serves from. */
  public DejaCache cache() {
    return cache;
  }

  @Override
  public void destroy() {
    if (ownsCache && cache != null) {
      cache.close();
    }
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)) {
      chain.doFilter(req, res);
      return;
    }
    String tenantHeader = cache.config().rules().tenantHeader();
    ParsedRequest parsed =
        cache.parse(
            request.getMethod(),
            pathInContext(request),
            request.getQueryString(),
            tenantHeader == null ? null : request.getHeader(tenantHeader));
    if (parsed instanceof ParsedRequest.NotCacheable) {
      chain.doFilter(request, response);
    } else if (parsed instanceof ParsedRequest.Invalid invalid) {
      cache.count("bypass", "none");
      Outcome outcome = Outcome.bypass("deja; fwd=bypass; detail=" + invalid.reason());
      forward(request, response, chain, null, outcome, null);
    } else {
      serveCacheable(request, response, chain, (Cacheable) parsed);
    }
  }

  private void serveCacheable(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain, Cacheable c)
      throws IOException, ServletException {
    boolean noCache = clientSaysNoCache(request);
    boolean noStore = says(request, "Cache-Control", NO_STORE);
    boolean storable = !noStore && "GET".equals(request.getMethod());
    // RFC 9111 3.5: an answer to a request with credentials is shared only if the origin says so.
    boolean authorized = request.getHeader("Authorization") != null;

    if (noCache) {
      cache.count("bypass", "none");
      Outcome outcome =
          Outcome.miss(c, "deja; fwd=request", null, storable, true, authorized);
      forward(request, response, chain, c, outcome, null);
      return;
    }
    LookupOptions options = new LookupOptions(requestedThreshold(request));
    LookupResult result = cache.lookup(c, options);
    boolean shadowed = false;
    if (result instanceof LookupResult.SemanticHit s && !cache.rollout().serves(c.key())) {
      // Shadow mode or outside the rollout: the decision is reported, the origin answers.
      cache.metrics().semanticShadowed.increment();
      result = new LookupResult.Miss(
          s.embedding(), s.candidate(), s.verdict(), s.threshold(), null, s.timings(), null);
      shadowed = true;
    }
    if (!(result instanceof LookupResult.Miss)) {
      String unreadable = serveHit(request, response, c, result);
      if (unreadable == null) {
        return;
      }
      // The image could not be opened (gone from the object store, or the store is down):
      // nothing was sent, so the origin answers as for a miss, and stores the image again.
      result = new LookupResult.Miss(
          null, null, null, cache.threshold(options), unreadable, result.timings(), null);
    }
    LookupResult.Miss miss = (LookupResult.Miss) result;
    String status =
        miss.unavailable() != null
            ? "deja; fwd=miss; detail=" + miss.unavailable()
            : shadowed ? "deja; fwd=uri-miss; detail=semantic-shadow" : "deja; fwd=uri-miss";
    Outcome outcome = Outcome.miss(c, status, miss, storable, false, authorized);
    // An outage is not a plain miss: the dashboards must tell the two apart.
    String missType = miss.unavailable() != null ? "unavailable" : shadowed ? "shadow" : "none";
    if (!storable) {
      cache.count("miss", missType);
      forward(request, response, chain, c, outcome, null);
      return;
    }
    // A follower whose leader's answer could not be shared (cut, an error, private) joins the
    // flight once more, so one of the waiting requests retries for all of them instead of all
    // at once; after a second failure, or a wait that timed out, each goes on alone.
    for (int round = 0; round < FLIGHT_ROUNDS; round++) {
      SingleFlight.Ticket ticket = cache.flights().join(c.key().value());
      if (ticket.leader()) {
        lead(request, response, chain, c, miss, outcome, missType, ticket);
        return;
      }
      Awaited awaited = await(ticket);
      if (awaited.image() != null) {
        StoredResponse shared = awaited.image();
        cache.count("miss", "collapsed");
        serveImage(request, response, shared, shared.isAlias(), collapsedHeaders(c, miss, shared));
        return;
      }
      if (!awaited.landed()) {
        break;
      }
    }
    cache.count("miss", missType);
    forward(request, response, chain, c, outcome, null);
  }

  private void lead(
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain,
      Cacheable c,
      LookupResult.Miss miss,
      Outcome outcome,
      String missType,
      SingleFlight.Ticket ticket)
      throws IOException, ServletException {
    boolean forwarded = false;
    try {
      StoredResponse landed = cache.hotImage(c.key().value());
      if (landed != null && landed.meets(miss.threshold())) {
        // A flight landed between our lookup and our joining: its image is already here.
        cache.flights().land(ticket, landed);
        serveHit(request, response, c, new LookupResult.ExactHit(landed, miss.timings()));
        return;
      }
      // Another instance may be fetching this key: wait for its entry rather than ask again.
      Instant now = cache.clock().instant();
      ClusterFlight.Turn turn = cache.clusterFlight().take(c.key().value(),
          image -> image.meets(miss.threshold()) && image.isFresh(now));
      if (turn instanceof ClusterFlight.Served served) {
        StoredResponse shared = served.image();
        cache.flights().land(ticket, shared);
        cache.count("miss", "collapsed");
        serveImage(request, response, shared, shared.isAlias(), collapsedHeaders(c, miss, shared));
        return;
      }
      FlightClaims.Claim claim = ((ClusterFlight.Fetch) turn).claim();
      cache.count("miss", missType);
      forwarded = true; // from here on forward() lands the flight and the claim, on every path
      forward(request, response, chain, c, outcome, new Flight(ticket, claim));
    } finally {
      if (!forwarded) {
        cache.flights().land(ticket, null); // landing twice is harmless; never landing is not
      }
    }
  }

  /**
   * What a follower got: the leader's image, or null with {@code landed} true when the leader
   * finished without a shareable answer, false when the follower could not wait or gave up.
   */
  private record Awaited(StoredResponse image, boolean landed) {}

  private Awaited await(SingleFlight.Ticket ticket) {
    if (!cache.flights().startWaiting()) {
      return new Awaited(null, false); // enough threads wait already: ask the origin alone
    }
    Duration timeout = cache.config().singleFlightTimeout();
    try {
      return new Awaited(ticket.flight().get(timeout.toMillis(), TimeUnit.MILLISECONDS), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Awaited(null, false);
    } catch (ExecutionException | TimeoutException e) {
      return new Awaited(null, false);
    } finally {
      cache.flights().stopWaiting();
    }
  }

  // --- hits ----------------------------------------------------------------------------------

  /**
   * Serves a hit. Returns null when it did, or the {@code Cache-Status} detail when the image
   * could not be opened; then nothing has been sent and the caller asks the origin.
   */
  private String serveHit(
      HttpServletRequest request, HttpServletResponse response, Cacheable c, LookupResult hit)
      throws IOException {
    String kind;
    List<String[]> headers = new ArrayList<>();
    StoredResponse image;
    if (hit instanceof LookupResult.SemanticHit s) {
      image = s.image();
      kind = "semantic";
      headers.add(new String[] {CacheHeaders.CACHE_STATUS, "deja; hit; detail=semantic"});
      headers.add(new String[] {CacheHeaders.X_CACHE, "HIT"});
      headers.add(new String[] {CacheHeaders.X_CACHE_TYPE, "semantic"});
      headers.add(
          new String[] {
            CacheHeaders.X_SEMANTIC_SIMILARITY, CacheHeaders.decimal(s.candidate().similarity())
          });
      headers.add(
          new String[] {CacheHeaders.X_SEMANTIC_THRESHOLD, CacheHeaders.decimal(s.threshold())});
      headers.add(new String[] {CacheHeaders.X_SEMANTIC_BUCKET, c.partition().bucket()});
      headers.add(new String[] {CacheHeaders.X_SEMANTIC_GUARD, s.verdict().reason()});
      headers.add(new String[] {CacheHeaders.X_SEMANTIC_MATCHED_KEY, s.candidate().cacheKey()});
    } else {
      image = ((LookupResult.ExactHit) hit).image();
      kind = "exact";
      headers.add(new String[] {CacheHeaders.CACHE_STATUS, "deja; hit; detail=exact"});
      headers.add(new String[] {CacheHeaders.X_CACHE, "HIT"});
      headers.add(new String[] {CacheHeaders.X_CACHE_TYPE, "exact"});
    }
    headers.add(new String[] {CacheHeaders.X_CACHE_KEY, c.key().value()});
    headers.add(new String[] {"Server-Timing", hit.timings().serverTiming()});
    // A semantic hit, or an exact hit through an alias, answers with an image drawn for another
    // prompt: it must not inherit the origin's downstream lifetime.
    boolean substituted = hit instanceof LookupResult.SemanticHit || image.isAlias();
    try {
      serveImage(request, response, image, substituted, headers);
    } catch (ImageMissingException | CacheUnavailableException e) {
      if (response.isCommitted()) {
        throw e;
      }
      response.reset();
      cache.invalidate(image.cacheKey());
      boolean missing = e instanceof ImageMissingException;
      (missing ? cache.metrics().imageMissing : cache.metrics().imageUnreadable).increment();
      LOG.warn("Deja: a hit's image could not be read, answering from the origin: {}",
          e.getMessage());
      return missing ? IMAGE_MISSING : CacheLookup.unavailableDetail(e);
    } catch (IOException e) {
      served(c, hit, kind); // the client went away mid-image: still a hit
      throw e;
    }
    served(c, hit, kind);
    return null;
  }

  private void served(Cacheable c, LookupResult hit, String kind) {
    cache.count("hit", kind);
    cache.served(c, hit);
  }

  private List<String[]> collapsedHeaders(Cacheable c, LookupResult.Miss miss, StoredResponse image) {
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {CacheHeaders.CACHE_STATUS, "deja; fwd=uri-miss; collapsed"});
    headers.add(new String[] {CacheHeaders.X_CACHE, "MISS"});
    headers.add(new String[] {CacheHeaders.X_CACHE_KEY, c.key().value()});
    headers.add(new String[] {CacheHeaders.X_SEMANTIC_BUCKET, c.partition().bucket()});
    headers.add(new String[] {"Server-Timing", miss.timings().serverTiming()});
    return headers;
  }

  /**
   * Answers from a stored image: validators, conditional requests, a byte range, HEAD and the
   * downstream lifetime are {@link StoredImageResponse}'s; Deja's headers go on top.
   *
   * @param substituted the image was drawn for another prompt (semantic or alias hit)
   */
  private void serveImage(
      HttpServletRequest request,
      HttpServletResponse response,
      StoredResponse image,
      boolean substituted,
      List<String[]> dejaHeaders)
      throws IOException {
    DejaConfig config = cache.config();
    new StoredImageResponse(config.storedHeaders(), config.semanticCacheControl())
        .write(request, response, image, substituted, dejaHeaders, cache.clock().instant());
  }

  // --- misses --------------------------------------------------------------------------------

  /**
   * The flights a forwarded request leads: this instance's ({@code ticket}) and, when it holds
   * one, the claim on the key across instances ({@code claim}, may be null).
   */
  private record Flight(SingleFlight.Ticket ticket, FlightClaims.Claim claim) {}

  /** What to tell the client about a forwarded request, decided before the origin answers. */
  private record Outcome(
      String cacheStatus,
      String xCache,
      Cacheable request,
      LookupResult.Miss miss,
      boolean store,
      boolean replace,
      boolean authorized) {

    static Outcome bypass(String cacheStatus) {
      return new Outcome(cacheStatus, "BYPASS", null, null, false, false, false);
    }

    static Outcome miss(
        Cacheable c,
        String status,
        LookupResult.Miss miss,
        boolean store,
        boolean replace,
        boolean authorized) {
      return new Outcome(status, replace ? "BYPASS" : "MISS", c, miss, store, replace, authorized);
    }
  }

  private void forward(
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain,
      Cacheable c,
      Outcome outcome,
      Flight flight)
      throws IOException, ServletException {
    long started = System.nanoTime();
    CapturingResponse wrapper =
        new CapturingResponse(
            response,
            outcome.store(),
            cache.config().maxBodyBytes(),
            cache.budget(),
            w -> missHeaders(request, w, outcome, System.nanoTime() - started));
    Completion completion = new Completion(wrapper, outcome, flight);
    // A broken exchange may end with no async event at all (Jetty aborts a committed response
    // without calling onComplete or onError): the failure itself must end the flight.
    wrapper.onFailure(completion::finish);
    boolean async = false;
    try {
      chain.doFilter(request, wrapper);
      if (request.isAsyncStarted()) {
        request.getAsyncContext().addListener(completion);
        async = true; // only now is someone else bound to finish it
      }
    } catch (Throwable e) {
      if (!response.isCommitted() && serveStale(request, wrapper, outcome, 500)) {
        LOG.warn("Deja: the chain failed; served a stale entry instead ({})", e.toString());
        return; // the finally block still lands the flight
      }
      // Errors too (an OutOfMemoryError mid-body): the answer is cut, and the flight must land.
      wrapper.fail();
      throw e;
    } finally {
      if (!async) {
        completion.finish();
      }
    }
  }

  /**
   * Adds Deja's headers to a forwarded answer, just before it commits; or, when the origin failed
   * and the request's own entry expired recently enough, answers with that entry instead.
   */
  private void missHeaders(
      HttpServletRequest request, CapturingResponse w, Outcome outcome, long originNanos) {
    if (!w.decidedAgain()) {
      cache.metrics().record(cache.metrics().origin, originNanos);
      // Headers decided after a failure were never the origin's: the exchange broke first.
      cache.metrics().originRequest(w.getStatus(), w.failed());
    }
    if (serveStale(request, w, outcome, w.getStatus())) {
      return;
    }
    StringBuilder status = new StringBuilder(outcome.cacheStatus());
    if (outcome.store() && willStore(w, outcome)) {
      status.append("; stored");
    }
    // Straight to the client's response: the wrapper filters Deja's header names out of what
    // the origin sets.
    HttpServletResponse out = (HttpServletResponse) w.getResponse();
    List<String> members = new ArrayList<>(w.originCacheStatus());
    members.add(status.toString());
    out.setHeader(CacheHeaders.CACHE_STATUS, String.join(", ", members));
    out.setHeader(CacheHeaders.X_CACHE, outcome.xCache());
    StringBuilder timing = new StringBuilder();
    LookupResult.Miss miss = outcome.miss();
    if (miss != null) {
      timing.append(miss.timings().serverTiming()).append(", ");
    }
    Timings.append(timing, "origin", originNanos);
    out.addHeader("Server-Timing", timing.toString());
    Cacheable c = outcome.request();
    if (c == null) {
      return;
    }
    out.setHeader(CacheHeaders.X_CACHE_KEY, c.key().value());
    out.setHeader(CacheHeaders.X_SEMANTIC_BUCKET, c.partition().bucket());
    if (miss != null) {
      out.setHeader(CacheHeaders.X_SEMANTIC_THRESHOLD, CacheHeaders.decimal(miss.threshold()));
      if (miss.best() != null) {
        out.setHeader(
            CacheHeaders.X_SEMANTIC_BEST_SIMILARITY,
            CacheHeaders.decimal(miss.best().similarity()));
        out.setHeader(CacheHeaders.X_SEMANTIC_GUARD, miss.refusal().reason());
        if (miss.refusal().accepted()) {
          // A miss whose best candidate was accepted is a shadowed semantic hit.
          out.setHeader(CacheHeaders.X_SEMANTIC_SHADOW, "would-hit; matched=" + miss.best().cacheKey());
        }
      }
    }
  }

  /**
   * Whether {@code stored} may be promised in {@code Cache-Status}, decided when the headers go out:
   * the headers allow storing, the body is being captured and is not declared empty, and the store
   * answered the lookup. The body can still turn out incomplete; then it is not stored.
   *
   * <p>The only place the headers are judged: an answer they refuse stops being captured here, so
   * {@link #finish} stores whatever body is still captured. Every captured byte passed through
   * here first, since the wrapper decides its headers before the first byte.
   */
  private boolean willStore(CapturingResponse w, Outcome outcome) {
    if (storable(w, outcome) != null) {
      w.dropCapture();
      return false;
    }
    LookupResult.Miss miss = outcome.miss();
    return w.expectedLength() != 0
        && w.reserveCapture()
        && (miss == null || miss.unavailable() == null)
        && cache.breakerState() == dev.deja.filter.store.CircuitBreaker.State.CLOSED;
  }

  /**
   * RFC 5861 {@code stale-if-error}: when the origin failed and the request's own entry expired
   * recently enough ({@link OriginPolicy#staleStandsIn}), the client gets that entry, marked
   * stale, instead of the error. Returns whether it did.
   */
  private boolean serveStale(
      HttpServletRequest request, CapturingResponse w, Outcome outcome, int originStatus) {
    LookupResult.Miss miss = outcome.miss();
    StoredResponse stale = miss == null ? null : miss.stale();
    Instant now = cache.clock().instant();
    HttpServletResponse out = (HttpServletResponse) w.getResponse();
    // Only an image already in memory stands in: the origin's answer is dropped before the stale
    // one is sent, so it must not depend on an object store that may fail too.
    if (!cache.originPolicy().staleStandsIn(stale, originStatus, now) || out.isCommitted()
        || stale.image().inMemory() == null) {
      return false;
    }
    out.reset();
    w.replaceByCache();
    cache.metrics().staleServed.increment();
    long ttl = Duration.between(now, stale.expiresAt()).getSeconds();
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {CacheHeaders.CACHE_STATUS,
        "deja; fwd=stale; fwd-status=" + originStatus + "; ttl=" + ttl + "; detail=stale-if-error"});
    headers.add(new String[] {CacheHeaders.X_CACHE, "HIT"});
    headers.add(new String[] {CacheHeaders.X_CACHE_TYPE, "stale"});
    headers.add(new String[] {CacheHeaders.X_CACHE_KEY, outcome.request().key().value()});
    // Downstream caches must not keep an expired image as if it were fresh.
    headers.add(new String[] {"Cache-Control", "max-age=0, must-revalidate"});
    try {
      serveImage(request, out, stale, stale.isAlias(), headers);
    } catch (IOException e) {
      LOG.debug("Deja: client went away while a stale entry was served", e);
    }
    return true;
  }

  /** Why the origin's answer may not be stored (as far as its headers tell), or null. */
  private String storable(CapturingResponse w, Outcome outcome) {
    return cache
        .originPolicy()
        .refusal(
            w.getStatus(),
            w.getContentType(),
            w.getHeader("Cache-Control"),
            w.getHeader("Set-Cookie") != null,
            w.getHeader("Content-Encoding"),
            String.join(",", w.getHeaders("Vary")),
            outcome.authorized());
  }

  /**
   * Stores a complete answer and lands the flight, whatever happens here. Called once per
   * exchange, by {@link Completion#finish()}.
   */
  private void finish(CapturingResponse w, Outcome outcome, Flight flight) {
    StoredResponse kept = null;
    // The claim lands once the store is done (waiters then read the entry), or at once when
    // nothing is stored.
    FlightClaims.Claim claim = flight == null ? null : flight.claim();
    boolean claimHandedOff = false;
    if (w.failed()) {
      cache.metrics().originAborted.increment();
    }
    try {
      w.commitHeaders();
      if (outcome.store() && !w.failed()) { // nothing of a broken answer is kept
        byte[] body = w.capturedBody();
        if (body != null && body.length > 0) { // willStore judged the headers
          LookupResult.Miss miss = outcome.miss();
          claimHandedOff = true; // keep() lands it, also when it fails
          kept =
              cache.keep(
                  outcome.request(),
                  miss == null ? null : miss.embedding(),
                  w.getContentType(),
                  w.storableHeaders(),
                  body,
                  w.getHeader("Cache-Control"),
                  outcome.replace(),
                  w.handOffCapture(),
                  inStore -> cache.clusterFlight().land(claim, inStore));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Deja: could not keep the origin's answer for {}", outcome.request(), e);
    } finally {
      w.releaseCapture();
      if (!claimHandedOff) {
        cache.clusterFlight().land(claim, false);
      }
      if (flight != null) {
        cache.flights().land(flight.ticket(), kept);
      }
    }
  }

  /**
   * Finishes an exchange exactly once, by whichever comes first: the synchronous return, the
   * async events, or a failure of the response (see {@link #forward}). The servlet spec does not
   * promise {@code onComplete} after {@code onError} or {@code onTimeout}, and a container that
   * aborts a connection may send no event at all, so every one of them ends the exchange.
   */
  private final class Completion implements AsyncListener {
    private final CapturingResponse wrapper;
    private final Outcome outcome;
    private final Flight flight;
    private final AtomicBoolean finished = new AtomicBoolean();

    Completion(CapturingResponse wrapper, Outcome outcome, Flight flight) {
      this.wrapper = wrapper;
      this.outcome = outcome;
      this.flight = flight;
    }

    void finish() {
      if (finished.compareAndSet(false, true)) {
        DejaFilter.this.finish(wrapper, outcome, flight);
      }
    }

    @Override
    public void onComplete(AsyncEvent event) {
      finish();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      wrapper.fail(); // finishes, through the failure listener
    }

    @Override
    public void onError(AsyncEvent event) {
      wrapper.fail();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }

  // --- request helpers -----------------------------------------------------------------------

  private static String pathInContext(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    return context != null && !context.isEmpty() && uri.startsWith(context)
        ? uri.substring(context.length())
        : uri;
  }

  private static boolean clientSaysNoCache(HttpServletRequest request) {
    if (says(request, "Cache-Control", NO_CACHE) || says(request, "Pragma", NO_CACHE)) {
      return true;
    }
    // The first no-cache parameter decides, whatever its value but a literal false.
    return QueryString.parse(request.getQueryString())
        .first("no-cache")
        .map(p -> !"false".equals(p.rawValue()))
        .orElse(false);
  }

  private static Double requestedThreshold(HttpServletRequest request) {
    String value = request.getHeader(CacheHeaders.X_DEJA_THRESHOLD);
    if (value == null) {
      return null;
    }
    try {
      return Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Whether header {@code name} is present and {@code directive} finds itself in it. */
  private static boolean says(HttpServletRequest request, String name, Pattern directive) {
    String value = request.getHeader(name);
    return value != null && directive.matcher(value).find();
  }

}
