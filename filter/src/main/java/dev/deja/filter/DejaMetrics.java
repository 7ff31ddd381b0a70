package dev.deja.filter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The filter's meters, registered in the registry the application passes in (Prometheus in the
 * standalone server). Names use Micrometer's dotted style; Prometheus renders them as {@code
 * deja_requests_total}, {@code deja_lookup_seconds} and so on.
 */
final class DejaMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> lookups = new ConcurrentHashMap<>();
  private final Map<String, Counter> originAnswers = new ConcurrentHashMap<>();
  final Counter originAborted;
  final Counter staleServed;
  final Counter semanticShadowed;
  final Counter imageMissing;
  final Counter imageUnreadable;
  final Timer lookup;
  final Timer embedding;
  final Timer search;
  final Timer origin;

  DejaMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.lookup = timer("deja.lookup", "Exact and semantic lookup, before the origin");
    this.embedding = timer("deja.embedding", "Prompt embedding");
    this.search = timer("deja.search", "Nearest-neighbour query");
    this.origin = timer("deja.origin", "Origin time to response headers");
    this.originAborted =
        Counter.builder("deja.origin.aborted")
            .description(
                "Forwarded exchanges that broke after the answer started (origin cut the body,"
                    + " client went away, error mid-stream)")
            .register(registry);
    this.semanticShadowed =
        Counter.builder("deja.semantic.shadowed")
            .description("Semantic hits found but not served (shadow mode or outside the rollout)")
            .register(registry);
    this.imageMissing =
        Counter.builder("deja.image.unavailable")
            .tag("cause", "missing")
            .description("Hits whose image object was gone from the object store: answered by"
                + " the origin, entry stored again")
            .register(registry);
    this.imageUnreadable =
        Counter.builder("deja.image.unavailable")
            .tag("cause", "store-down")
            .description("Hits whose image could not be read from the object store: answered by"
                + " the origin")
            .register(registry);
    this.staleServed =
        Counter.builder("deja.stale.served")
            .description("Expired entries served because the origin failed (stale-if-error)")
            .register(registry);
  }

  /**
   * Counts one lookup by what it found.
   *
   * @param outcome {@code exact}, {@code semantic}, {@code miss}, {@code unavailable} (the store
   *     could not be asked) or {@code error}
   */
  void lookup(String outcome) {
    lookups
        .computeIfAbsent(
            outcome,
            k ->
                Counter.builder("deja.lookups")
                    .description("Cache lookups by outcome; unavailable = the store could not answer")
                    .tag("outcome", outcome)
                    .register(registry))
        .increment();
  }

  /**
   * Counts one request sent to the origin (or to the proxy in front of it), by the status class
   * it answered, or {@code error} when it broke before answering (exception, connection lost):
   * {@code deja_origin_requests_total{status="1xx".."5xx"|"error"}}. The one place that says
   * what counts as an origin request; summed over instances it is the origin's load.
   */
  void originRequest(int status, boolean brokeBeforeAnswer) {
    String statusClass =
        !brokeBeforeAnswer && status >= 100 && status < 600 ? (status / 100) + "xx" : "error";
    originAnswers
        .computeIfAbsent(
            statusClass,
            k ->
                Counter.builder("deja.origin.requests")
                    .description("Requests sent to the origin, by the status class answered"
                        + " (error: no answer)")
                    .tag("status", statusClass)
                    .register(registry))
        .increment();
  }

  MeterRegistry registry() {
    return registry;
  }

  /**
   * Counts a cacheable request.
   *
   * @param status {@code hit}, {@code miss}, {@code bypass}
   * @param type {@code exact}, {@code semantic}, {@code collapsed}, {@code unavailable}, {@code
   *     shadow}, or {@code none}
   */
  void request(String status, String type) {
    requests
        .computeIfAbsent(
            status + '/' + type,
            k ->
                Counter.builder("deja.requests")
                    .description("Cacheable requests by cache status and hit type")
                    .tag("status", status)
                    .tag("type", type)
                    .register(registry))
        .increment();
  }

  void record(Timer timer, long nanos) {
    if (nanos > 0) {
      timer.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  private Timer timer(String name, String description) {
    return Timer.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .register(registry);
  }
}
