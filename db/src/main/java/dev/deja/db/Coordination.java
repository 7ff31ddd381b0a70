package dev.deja.db;

import dev.deja.db.internal.PostgresCoordination;
import java.util.Optional;

/**
 * What the instances of one cache tell each other: deletions their in-memory tiers must apply
 * ({@link #publish}, {@link #subscribe}), and which of them runs the current maintenance pass
 * ({@link #tryLead}). With PostgreSQL this is {@code LISTEN/NOTIFY} on one dedicated connection
 * per instance and a session advisory lock per pass: no other infrastructure.
 */
public interface Coordination extends AutoCloseable {

  /** Receives what other instances (and this one) published. Called on one thread, in order. */
  interface Subscriber {
    void onInvalidation(Invalidation message);

    /**
     * Messages may have been missed (the listening connection was lost, or is back after a loss):
     * whatever the in-memory tier holds may be stale. Called on every disconnect and reconnect.
     */
    void onPossibleLoss(String reason);
  }

  /** The right to run one maintenance pass; closing it lets another instance lead the next. */
  interface Lease extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Tells every instance, this one included, to forget what {@code message} names. Sent after the
   * deletion committed; best effort: a lost message is bounded by the in-memory tier's lifetime.
   *
   * @throws CacheUnavailableException when the message could not be sent
   */
  void publish(Invalidation message);

  /** Starts delivering messages to {@code subscriber}; at most one subscriber per instance. */
  void subscribe(Subscriber subscriber);

  /** Whether messages reach the subscriber right now (false while connecting or reconnecting). */
  boolean subscribed();

  /**
   * Becomes the maintenance leader for one pass, unless another instance is: empty then, and
   * empty when the database cannot be reached.
   */
  Optional<Lease> tryLead();

  @Override
  void close();

  /** A single instance on its own: nothing to tell anyone, always the leader. */
  static Coordination alone() {
    return new Coordination() {
      @Override
      public void publish(Invalidation message) {}

      @Override
      public void subscribe(Subscriber subscriber) {}

      @Override
      public boolean subscribed() {
        return true;
      }

      @Override
      public Optional<Lease> tryLead() {
        return Optional.of(() -> {});
      }

      @Override
      public void close() {}
    };
  }

  /**
   * The instances sharing {@code config}'s database and schema. Connects in the background (a
   * database down at start is retried), so this never fails.
   */
  static Coordination postgres(DatabaseConfig config) {
    return new PostgresCoordination(config);
  }
}
