package dev.deja.filter.http;

import dev.deja.filter.store.ByteBudget;
import java.util.Arrays;

/**
 * The copy of an origin body kept for storage: at most {@code limit} bytes, every byte of its
 * capacity reserved from a shared {@link ByteBudget} before it is allocated. When the body is
 * longer than the limit or the budget is spent the copy is abandoned (and its bytes released at
 * once); the answer still reaches the client in full.
 *
 * <p>Synchronized: a failure on another thread (an async error) may abandon the copy while the
 * request thread appends.
 *
 * <p>With a declared {@code Content-Length} the array is allocated once at its final size, so a
 * complete body is handed on without a second copy.
 */
final class BodyCapture {

  private static final int FIRST_CHUNK = 64 * 1024;

  private final int limit;
  private final ByteBudget.Reservation reservation;
  private byte[] buffer = new byte[0];
  private int size;
  private boolean abandoned;

  BodyCapture(ByteBudget budget, int limit, long expectedLength) {
    this.limit = limit;
    this.reservation = budget.open();
    if (expectedLength > 0 && !ensureCapacity(expectedLength)) {
      abandon();
    }
  }

  /** Appends bytes; false once the copy has been abandoned (too long, or no budget left). */
  synchronized boolean append(byte[] b, int off, int len) {
    if (abandoned) {
      return false;
    }
    if ((long) size + len > limit || !ensureCapacity((long) size + len)) {
      abandon();
      return false;
    }
    System.arraycopy(b, off, buffer, size, len);
    size += len;
    return true;
  }

  private boolean ensureCapacity(long needed) {
    if (needed <= buffer.length) {
      return true;
    }
    if (needed > limit) {
      return false;
    }
    long capacity = Math.min(limit, Math.max(needed, Math.max(FIRST_CHUNK, 2L * buffer.length)));
    if (!reservation.grow(capacity - buffer.length)) {
      return false;
    }
    buffer = Arrays.copyOf(buffer, (int) capacity);
    return true;
  }

  /** Discards the copy and gives its bytes back to the budget. */
  synchronized void abandon() {
    abandoned = true;
    buffer = new byte[0];
    size = 0;
    reservation.close();
  }

  synchronized boolean abandoned() {
    return abandoned;
  }

  synchronized int size() {
    return size;
  }

  /** The bytes captured so far (the array itself when it is exactly full). */
  synchronized byte[] body() {
    return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
  }

  /** The bytes this copy holds in the budget; whoever holds the body last closes it. */
  ByteBudget.Reservation reservation() {
    return reservation;
  }

  /** Starts over (the response was reset before commit), keeping the reservation. */
  synchronized void clear() {
    size = 0;
  }
}
