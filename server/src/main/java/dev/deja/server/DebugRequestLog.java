package dev.deja.server;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request at debug: method, path, status, {@code X-Cache}, duration. Runs when the
 * exchange completes, so proxied (asynchronous) answers are logged with their final status.
 */
final class DebugRequestLog implements RequestLog {

  private static final Logger LOG = LoggerFactory.getLogger("dev.deja.server.access");

  @Override
  public void log(Request request, Response response) {
    if (!LOG.isDebugEnabled()) {
      return;
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - request.getBeginNanoTime());
    String xCache = response.getHeaders().get("X-Cache");
    LOG.debug(
        "{} {} {} {} {}ms",
        request.getMethod(),
        request.getHttpURI().getPath(),
        response.getStatus(),
        xCache == null ? "-" : xCache,
        ms);
  }
}
