package dev.deja.server;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;

/**
 * Streams cache misses to the origin: Jetty's transparent proxy (pooled connections, hop-by-hop
 * headers removed, {@code Via} and {@code Forwarded} added) with a connect timeout and the
 * conventional {@code X-Forwarded-*} headers many image APIs and CDNs still read.
 *
 * <p>The origin receives the request target exactly as the client sent it and the Deja filter
 * keyed it: path still percent-encoded ({@code %2F} stays {@code %2F}), query untouched, and no
 * dot-segment normalization (which the filter's parser refuses to key).
 *
 * <p>Configured through init-params {@code proxyTo}, {@code timeout} (total per request), {@code
 * idleTimeout} and {@code maxConnections}; the connect timeout and the request size limits are
 * given to the constructor.
 */
final class OriginProxyServlet extends ProxyServlet.Transparent {

  private static final long serialVersionUID = 1L;

  private final Duration connectTimeout;
  private final RequestLimits limits;
  private final transient MeterRegistry registry;
  /** {@code proxyTo} without a trailing '/'. */
  private String origin;

  OriginProxyServlet(Duration connectTimeout, RequestLimits limits, MeterRegistry registry) {
    this.connectTimeout = connectTimeout;
    this.limits = limits;
    this.registry = registry;
  }

  /**
   * Counts why an exchange with the origin failed, so an operator can tell a slow origin
   * ({@code timeout}), a down one ({@code connect}), one that drops connections before answering
   * ({@code reset}) and answers broken after they started ({@code cut}: the origin or the client
   * went away mid-body) apart from each other and from cache failures.
   */
  @Override
  protected void onProxyResponseFailure(
      HttpServletRequest clientRequest,
      HttpServletResponse proxyResponse,
      org.eclipse.jetty.client.Response serverResponse,
      Throwable failure) {
    registry.counter("deja.origin.failures", "cause", cause(failure, proxyResponse.isCommitted()))
        .increment();
    super.onProxyResponseFailure(clientRequest, proxyResponse, serverResponse, failure);
  }

  static String cause(Throwable failure, boolean answerStarted) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException) {
        return "timeout";
      }
      if (t instanceof java.net.ConnectException) {
        return "connect";
      }
    }
    return answerStarted ? "cut" : "reset";
  }

  @Override
  public void init() throws ServletException {
    super.init();
    String proxyTo = getServletConfig().getInitParameter("proxyTo");
    origin = proxyTo.endsWith("/") ? proxyTo.substring(0, proxyTo.length() - 1) : proxyTo;
  }

  @Override
  protected HttpClient newHttpClient() {
    HttpClient client = super.newHttpClient();
    client.setConnectTimeout(connectTimeout.toMillis());
    client.setFollowRedirects(false);
    // The request buffer grows up to this when the request line (a long prompt) needs it.
    client.setMaxRequestHeadersSize(limits.proxyRequestHeaderBytes());
    return client;
  }

  /**
   * The origin URL plus the raw request URI and query, verbatim. Jetty's transparent proxy runs
   * the target through {@link URI#normalize()}, which resolves {@code ..}: what the origin got
   * would then differ from what Deja parsed, the very gap that let one prompt's image be filed
   * under another. Built from the same two strings the filter keys, the forwarded request is the
   * keyed one by construction.
   */
  @Override
  protected String rewriteTarget(HttpServletRequest clientRequest) {
    String query = clientRequest.getQueryString();
    String target = origin + clientRequest.getRequestURI() + (query == null ? "" : "?" + query);
    try {
      URI.create(target);
    } catch (IllegalArgumentException e) {
      return null; // answered 403 by the proxy, like any target it cannot rewrite
    }
    return target;
  }

  /**
   * Commits the response before the exchange completes, so the Deja filter adds its headers
   * (it does that on the first byte or flush) also to answers without a body: HEAD, 204, 304.
   */
  @Override
  protected void onProxyResponseSuccess(
      HttpServletRequest clientRequest,
      HttpServletResponse proxyResponse,
      org.eclipse.jetty.client.Response serverResponse) {
    try {
      proxyResponse.flushBuffer();
    } catch (java.io.IOException e) {
      // The client went away; completing the exchange below handles it.
    }
    super.onProxyResponseSuccess(clientRequest, proxyResponse, serverResponse);
  }

  @Override
  protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
    super.addProxyHeaders(clientRequest, proxyRequest);
    String remote = clientRequest.getRemoteAddr();
    proxyRequest.headers(
        h -> {
          String prior = clientRequest.getHeader("X-Forwarded-For");
          h.put("X-Forwarded-For", prior == null ? remote : prior + ", " + remote);
          h.put("X-Forwarded-Proto", clientRequest.getScheme());
          String host = clientRequest.getHeader("Host");
          if (host != null) {
            h.put("X-Forwarded-Host", host);
          }
        });
  }
}
