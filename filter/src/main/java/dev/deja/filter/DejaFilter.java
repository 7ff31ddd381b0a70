package dev.deja.filter;

import dev.deja.filter.http.CacheHeaders;
import dev.deja.filter.http.CapturingResponse;
import dev.deja.filter.http.SingleFlight;
import dev.deja.filter.http.StoredImageResponse;
import dev.deja.filter.lookup.LookupOptions;
import dev.deja.filter.lookup.LookupResult;
import dev.deja.filter.lookup.Timings;
import dev.deja.filter.request.ParsedRequest;
import dev.deja.filter.request.ParsedRequest.Cacheable;
import dev.deja.filter.store.CachedImage;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

  private static final Logger LOG = LoggerFactory.getLogger(DejaFilter.class);
  private static final Pattern NO_CACHE = Pattern.compile("(?i)(^|,)\\s*no-cache\\b");
  private static final Pattern NO_STORE = Pattern.compile("(?i)(^|,)\\s*no-store\\b");

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
    boolean noStore = NO_STORE.matcher(header(request, "Cache-Control")).find();
    boolean storable = !noStore && "GET".equals(request.getMethod());

    if (noCache) {
      cache.count("bypass", "none");
      Outcome outcome = Outcome.miss(c, "deja; fwd=request", null, storable, true);
      forward(request, response, chain, c, outcome, null);
      return;
    }
    LookupOptions options = new LookupOptions(requestedThreshold(request));
    LookupResult result = cache.lookup(c, options);
    if (!(result instanceof LookupResult.Miss miss)) {
      serveHit(request, response, c, result);
      return;
    }
    String status =
        miss.unavailable() != null
            ? "deja; fwd=miss; detail=" + miss.unavailable()
            : "deja; fwd=uri-miss";
    Outcome outcome = Outcome.miss(c, status, miss, storable, false);
    if (!storable) {
      cache.count("miss", "none");
      forward(request, response, chain, c, outcome, null);
      return;
    }
    SingleFlight.Ticket ticket = cache.flights().join(c.key().value());
    if (ticket.leader()) {
      CachedImage landed = cache.hotImage(c.key().value());
      if (landed != null && landed.meets(miss.threshold())) {
        // A flight landed between our lookup and our joining: its image is already here.
        cache.flights().land(ticket, landed);
        serveHit(request, response, c, new LookupResult.ExactHit(landed, miss.timings()));
        return;
      }
      cache.count("miss", "none");
      forward(request, response, chain, c, outcome, ticket);
      return;
    }
    CachedImage shared = await(ticket);
    if (shared != null) {
      cache.count("miss", "collapsed");
      serveImage(request, response, shared, shared.isAlias(), collapsedHeaders(c, miss, shared));
      return;
    }
    // The leader's answer could not be shared: go to the origin ourselves.
    cache.count("miss", "none");
    forward(request, response, chain, c, outcome, null);
  }

  private CachedImage await(SingleFlight.Ticket ticket) {
    if (!cache.flights().startWaiting()) {
      return null; // enough threads wait already: this one asks the origin itself
    }
    Duration timeout = cache.config().singleFlightTimeout();
    try {
      return ticket.flight().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException e) {
      return null;
    } finally {
      cache.flights().stopWaiting();
    }
  }

  // --- hits ----------------------------------------------------------------------------------

  private void serveHit(
      HttpServletRequest request, HttpServletResponse response, Cacheable c, LookupResult hit)
      throws IOException {
    List<String[]> headers = new ArrayList<>();
    CachedImage image;
    if (hit instanceof LookupResult.SemanticHit s) {
      image = s.image();
      cache.count("hit", "semantic");
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
      headers.add(new String[] {CacheHeaders.X_SEMANTIC_MATCHED_KEY, s.candidate().key()});
    } else {
      image = ((LookupResult.ExactHit) hit).image();
      cache.count("hit", "exact");
      headers.add(new String[] {CacheHeaders.CACHE_STATUS, "deja; hit; detail=exact"});
      headers.add(new String[] {CacheHeaders.X_CACHE, "HIT"});
      headers.add(new String[] {CacheHeaders.X_CACHE_TYPE, "exact"});
    }
    headers.add(new String[] {CacheHeaders.X_CACHE_KEY, c.key().value()});
    headers.add(new String[] {"Server-Timing", hit.timings().serverTiming()});
    cache.served(c, hit);
    // A semantic hit, or an exact hit through an alias, answers with an image drawn for another
    // prompt: it must not inherit the origin's downstream lifetime.
    boolean substituted = hit instanceof LookupResult.SemanticHit || image.isAlias();
    serveImage(request, response, image, substituted, headers);
  }

  private List<String[]> collapsedHeaders(Cacheable c, LookupResult.Miss miss, CachedImage image) {
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
      CachedImage image,
      boolean substituted,
      List<String[]> dejaHeaders)
      throws IOException {
    DejaConfig config = cache.config();
    new StoredImageResponse(config.storedHeaders(), config.semanticCacheControl())
        .write(request, response, image, substituted, dejaHeaders, cache.clock().instant());
  }

  // --- misses --------------------------------------------------------------------------------

  /** What to tell the client about a forwarded request, decided before the origin answers. */
  private record Outcome(
      String cacheStatus,
      String xCache,
      Cacheable request,
      LookupResult.Miss miss,
      boolean store,
      boolean replace) {

    static Outcome bypass(String cacheStatus) {
      return new Outcome(cacheStatus, "BYPASS", null, null, false, false);
    }

    static Outcome miss(
        Cacheable c, String status, LookupResult.Miss miss, boolean store, boolean replace) {
      return new Outcome(status, replace ? "BYPASS" : "MISS", c, miss, store, replace);
    }
  }

  private void forward(
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain,
      Cacheable c,
      Outcome outcome,
      SingleFlight.Ticket ticket)
      throws IOException, ServletException {
    long started = System.nanoTime();
    CapturingResponse wrapper =
        new CapturingResponse(
            response,
            outcome.store(),
            cache.config().maxBodyBytes(),
            w -> missHeaders(w, outcome, System.nanoTime() - started));
    boolean async = false;
    try {
      chain.doFilter(request, wrapper);
      if (request.isAsyncStarted()) {
        async = true;
        request.getAsyncContext().addListener(new Completion(wrapper, outcome, ticket));
      }
    } catch (IOException | ServletException | RuntimeException e) {
      wrapper.fail();
      throw e;
    } finally {
      if (!async) {
        finish(wrapper, outcome, ticket);
      }
    }
  }

  /** Adds Deja's headers to a forwarded answer, just before it commits. */
  private void missHeaders(CapturingResponse w, Outcome outcome, long originNanos) {
    cache.metrics().record(cache.metrics().origin, originNanos);
    StringBuilder status = new StringBuilder(outcome.cacheStatus());
    if (outcome.store() && storable(w) == null) {
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
      }
    }
  }

  /** Why the origin's answer may not be stored (as far as its headers tell), or null. */
  private String storable(CapturingResponse w) {
    return cache
        .originPolicy()
        .refusal(
            w.getStatus(),
            w.getContentType(),
            w.getHeader("Cache-Control"),
            w.getHeader("Set-Cookie") != null,
            w.getHeader("Content-Encoding"),
            String.join(",", w.getHeaders("Vary")));
  }

  private void finish(CapturingResponse w, Outcome outcome, SingleFlight.Ticket ticket) {
    CachedImage kept = null;
    try {
      w.commitHeaders();
      if (outcome.store() && !w.failed()) {
        byte[] body = w.capturedBody();
        if (body != null && body.length > 0 && storable(w) == null) {
          LookupResult.Miss miss = outcome.miss();
          kept =
              cache.keep(
                  outcome.request(),
                  miss == null ? null : miss.embedding(),
                  w.getContentType(),
                  w.storableHeaders(),
                  body,
                  w.getHeader("Cache-Control"),
                  outcome.replace());
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Deja: could not keep the origin's answer for {}", outcome.request(), e);
    } finally {
      if (ticket != null) {
        cache.flights().land(ticket, kept);
      }
    }
  }

  /** Finishes an exchange the chain completed asynchronously (e.g. a proxy servlet). */
  private final class Completion implements AsyncListener {
    private final CapturingResponse wrapper;
    private final Outcome outcome;
    private final SingleFlight.Ticket ticket;

    Completion(CapturingResponse wrapper, Outcome outcome, SingleFlight.Ticket ticket) {
      this.wrapper = wrapper;
      this.outcome = outcome;
      this.ticket = ticket;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      finish(wrapper, outcome, ticket);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      wrapper.fail();
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
    if (NO_CACHE.matcher(header(request, "Cache-Control")).find()
        || NO_CACHE.matcher(header(request, "Pragma")).find()) {
      return true;
    }
    String query = request.getQueryString();
    if (query == null) {
      return false;
    }
    for (String pair : query.split("&")) {
      if (pair.equals("no-cache") || pair.startsWith("no-cache=")) {
        return !pair.equals("no-cache=false");
      }
    }
    return false;
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

  private static String header(HttpServletRequest request, String name) {
    String value = request.getHeader(name);
    return value == null ? "" : value;
  }
}
