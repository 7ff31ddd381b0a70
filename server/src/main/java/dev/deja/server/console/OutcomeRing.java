package dev.deja.server.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;

/**
 * Requests per minute by outcome over the last day, for this instance since it started: sampled
 * from the very {@code deja.requests} counters Prometheus scrapes, so the plots and the metrics
 * cannot disagree. Each sample adds the counters' growth since the previous one to the current
 * minute; sample often (the console does on every page and on a timer) for sharp minutes.
 */
final class OutcomeRing {

  /** Minutes kept: one day. */
  static final int MINUTES = 24 * 60;
  static final String COUNTER = "deja.requests";

  private final MeterRegistry registry;
  private final Clock clock;
  private final Instant startedAt;
  private final long[][] counts = new long[MINUTES][Outcome.values().length];
  private final long[] minuteOf = new long[MINUTES];
  private final double[] last = new double[Outcome.values().length];

  OutcomeRing(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    this.startedAt = clock.instant();
    java.util.Arrays.fill(minuteOf, -1);
    System.arraycopy(totals(), 0, last, 0, last.length);
  }

  /** When counting began: the plots cover this instance since then. */
  Instant startedAt() {
    return startedAt;
  }

  /** Adds what the counters grew by since the last sample to the current minute. */
  synchronized void sample() {
    double[] now = totals();
    long minute = clock.millis() / 60_000;
    long[] slot = slot(minute);
    for (int i = 0; i < now.length; i++) {
      slot[i] += Math.max(0, Math.round(now[i] - last[i]));
      last[i] = now[i];
    }
  }

  /**
   * The last {@code minutes} minutes, oldest first: {@code [minute][outcome ordinal]}, the current
   * (partial) minute last.
   */
  synchronized long[][] lastMinutes(int minutes) {
    sample();
    long current = clock.millis() / 60_000;
    long[][] out = new long[minutes][];
    for (int i = 0; i < minutes; i++) {
      long minute = current - (minutes - 1 - i);
      int at = (int) Math.floorMod(minute, (long) MINUTES);
      out[i] = minuteOf[at] == minute ? counts[at].clone() : new long[Outcome.values().length];
    }
    return out;
  }

  /** Counter totals by outcome since the start, exactly as Prometheus reads them. */
  double[] totals() {
    double[] sum = new double[Outcome.values().length];
    for (Counter c : registry.find(COUNTER).counters()) {
      sum[Outcome.of(c.getId().getTag("status"), c.getId().getTag("type")).ordinal()] += c.count();
    }
    return sum;
  }

  private long[] slot(long minute) {
    int at = (int) Math.floorMod(minute, (long) MINUTES);
    if (minuteOf[at] != minute) {
      minuteOf[at] = minute;
      java.util.Arrays.fill(counts[at], 0);
    }
    return counts[at];
  }
}
