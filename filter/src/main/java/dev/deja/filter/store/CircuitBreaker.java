package dev.deja.filter.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Stops calling a store that keeps failing, and lets one probe through now and then to notice it
 * is back. Closed: calls go through. Open: calls are refused for {@code openDuration}. Half-open:
 * one caller probes; its success closes the breaker, its failure opens it again.
 */
public final class CircuitBreaker {

  /** Breaker state, exported as a metric. */
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private final int failureThreshold;
  private final long openNanos;
  private final LongSupplier nanoClock;
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  /** 0 when closed; otherwise the nanoTime at which the breaker opened. */
  private final AtomicLong openedAt = new AtomicLong();
  private final AtomicLong probeStartedAt = new AtomicLong();

  public CircuitBreaker(int failureThreshold, Duration openDuration, LongSupplier nanoClock) {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failureThreshold must be >= 1: " + failureThreshold);
    }
    this.failureThreshold = failureThreshold;
    this.openNanos = openDuration.toNanos();
    this.nanoClock = nanoClock;
  }

  /** Whether a call may go to the store now. In half-open state only one caller gets true. */
  public boolean allowRequest() {
    long opened = openedAt.get();
    if (opened == 0) {
      return true;
    }
    long now = nanoClock.getAsLong();
    if (now - opened < openNanos) {
      return false;
    }
    long probe = probeStartedAt.get();
    // One probe per open period; a probe that never reported back is replaced after a period.
    return (probe == 0 || now - probe >= openNanos) && probeStartedAt.compareAndSet(probe, now);
  }

  public void recordSuccess() {
    consecutiveFailures.set(0);
    openedAt.set(0);
    probeStartedAt.set(0);
  }

  public void recordFailure() {
    if (consecutiveFailures.incrementAndGet() >= failureThreshold || openedAt.get() != 0) {
      openedAt.set(Math.max(1, nanoClock.getAsLong()));
      probeStartedAt.set(0);
    }
  }

  public State state() {
    long opened = openedAt.get();
    if (opened == 0) {
      return State.CLOSED;
    }
    return nanoClock.getAsLong() - opened < openNanos ? State.OPEN : State.HALF_OPEN;
  }
}
