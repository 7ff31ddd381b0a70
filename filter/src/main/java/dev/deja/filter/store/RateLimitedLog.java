package dev.deja.filter.store;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a recurring failure at most once per interval and event, with how many were suppressed, so
 * a dead database produces one line a minute instead of one per request.
 */
public final class RateLimitedLog {

  private final Logger log;
  private final long intervalNanos;
  private final ConcurrentHashMap<String, long[]> lastLogged = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLong> suppressed = new ConcurrentHashMap<>();

  public RateLimitedLog(Logger log, Duration interval) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
  }

  /** Warns about {@code event} unless it was logged less than an interval ago. */
  public void warn(String event, String message, Throwable cause) {
    long now = System.nanoTime();
    long[] last = lastLogged.computeIfAbsent(event, e -> new long[] {now - intervalNanos - 1});
    AtomicLong count = suppressed.computeIfAbsent(event, e -> new AtomicLong());
    boolean due;
    synchronized (last) {
      due = now - last[0] > intervalNanos;
      if (due) {
        last[0] = now;
      }
    }
    if (!due) {
      count.incrementAndGet();
      return;
    }
    long skipped = count.getAndSet(0);
    String cause0 = cause == null ? "" : ": " + cause;
    if (skipped > 0) {
      log.warn("{}{} ({} similar events suppressed)", message, cause0, skipped);
    } else {
      log.warn("{}{}", message, cause0);
    }
    if (cause != null && log.isDebugEnabled()) {
      log.debug("cause of " + event, cause);
    }
  }
}
