package dev.deja.filter.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds, in bytes, the origin answers held in memory for storage: bodies being captured while
 * they stream to clients, and bodies waiting in the store queue. A count of images bounds nothing
 * when one image may weigh 15 MB; this does.
 *
 * <p>Never blocks: a capture that cannot reserve its bytes is dropped (the client still gets the
 * whole answer, it is just not stored) and counted, so memory pressure costs cache fills, never
 * requests.
 */
public final class ByteBudget {

  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  /** @param limit bytes that may be reserved at once; 0 refuses every reservation */
  public ByteBudget(long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("byte budget must be >= 0, was " + limit);
    }
    this.limit = limit;
  }

  /** Opens an empty reservation that grows with {@link Reservation#grow(long)}. */
  public Reservation open() {
    return new Reservation();
  }

  private boolean take(long bytes) {
    long now;
    do {
      now = used.get();
      if (now + bytes > limit) {
        refused.incrementAndGet();
        return false;
      }
    } while (!used.compareAndSet(now, now + bytes));
    return true;
  }

  /** Bytes reserved now. */
  public long used() {
    return used.get();
  }

  public long limit() {
    return limit;
  }

  /** Reservations refused since start, for metrics. */
  public long refused() {
    return refused.get();
  }

  /**
   * Bytes held by one body. Passed along with the body (capture, then store queue) and released
   * exactly once by whoever holds it last; releasing again is a no-op.
   */
  public final class Reservation implements AutoCloseable {
    private long bytes;
    private boolean closed;

    private Reservation() {}

    /** Reserves {@code more} bytes; false (and nothing reserved) when the budget is spent. */
    public synchronized boolean grow(long more) {
      if (closed || more < 0 || !take(more)) {
        return false;
      }
      bytes += more;
      return true;
    }

    public synchronized long bytes() {
      return bytes;
    }

    /** Gives the bytes back. */
    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        used.addAndGet(-bytes);
        bytes = 0;
      }
    }
  }
}
