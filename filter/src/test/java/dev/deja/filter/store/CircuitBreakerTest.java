package dev.deja.filter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(5), now::get);

  @Test
  void staysClosedUntilConsecutiveFailuresReachTheThreshold() {
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    assertTrue(breaker.allowRequest());
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
    breaker.recordFailure();
    assertFalse(breaker.allowRequest());
    assertEquals(CircuitBreaker.State.OPEN, breaker.state());
  }

  @Test
  void afterTheOpenPeriodExactlyOneProbeGoesThrough() {
    for (int i = 0; i < 3; i++) {
      breaker.recordFailure();
    }
    now.addAndGet(Duration.ofSeconds(5).toNanos());
    assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.state());
    assertTrue(breaker.allowRequest());
    assertFalse(breaker.allowRequest());
  }

  @Test
  void aSuccessfulProbeClosesAndAFailedOneReopens() {
    for (int i = 0; i < 3; i++) {
      breaker.recordFailure();
    }
    now.addAndGet(Duration.ofSeconds(5).toNanos());
    assertTrue(breaker.allowRequest());
    breaker.recordFailure();
    assertEquals(CircuitBreaker.State.OPEN, breaker.state());
    now.addAndGet(Duration.ofSeconds(5).toNanos());
    assertTrue(breaker.allowRequest());
    breaker.recordSuccess();
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
    assertTrue(breaker.allowRequest());
  }
}
