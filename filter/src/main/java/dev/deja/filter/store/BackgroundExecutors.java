package dev.deja.filter.store;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The cache's background pools: daemon threads, a bounded queue, and refusal when it is full. */
public final class BackgroundExecutors {

  private BackgroundExecutors() {}

  /**
   * A fixed pool whose {@code execute} throws {@link
   * java.util.concurrent.RejectedExecutionException} when {@code queueCapacity} tasks wait, so the
   * caller can drop and count instead of queueing without bound or blocking a request.
   *
   * @param name thread name prefix, e.g. {@code deja-store}
   */
  public static ThreadPoolExecutor bounded(String name, int threads, int queueCapacity) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(
        threads,
        threads,
        0,
        TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(queueCapacity),
        r -> daemon(r, name + "-" + n.incrementAndGet()),
        new ThreadPoolExecutor.AbortPolicy());
  }

  /** A daemon thread: background work never keeps the JVM alive. */
  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
