package dev.deja.server;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;

/**
 * Streams cache misses to the origin: Jetty's transparent proxy (pooled connections, hop-by-hop
 * headers removed, {@code Via} and {@code Forwarded} added) with a connect timeout and the
 * conventional {@code X-Forwarded-*} headers many image APIs and CDNs still read.
 *
 * <p>Configured through init-params {@code proxyTo}, {@code timeout} (total per request), {@code
 * idleTimeout} and {@code maxConnections}; the connect timeout is given to the constructor.
 */
final class OriginProxyServlet extends ProxyServlet.Transparent {

  private static final long serialVersionUID = 1L;

  private final Duration connectTimeout;

  OriginProxyServlet(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  @Override
  protected HttpClient newHttpClient() {
    HttpClient client = super.newHttpClient();
    client.setConnectTimeout(connectTimeout.toMillis());
    client.setFollowRedirects(false);
    return client;
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
