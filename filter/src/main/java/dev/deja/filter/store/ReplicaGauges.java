package dev.deja.filter.store;

import dev.deja.db.DejaDatabase;
import dev.deja.db.ReconnectingDatabase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Where lookups read, for dashboards and alerts: {@code deja_db_replica_reads} (1 while lookups
 * read the replica, 0 while they read the primary because the replica lags or is down) and
 * {@code deja_db_replica_lag_milliseconds} (-1: not answering). Registered only when a read
 * replica is configured.
 */
public final class ReplicaGauges {

  private ReplicaGauges() {}

  public static void register(MeterRegistry registry, ReconnectingDatabase db) {
    if (db.config().readUrl() == null) {
      return;
    }
    Gauge.builder("deja.db.replica.reads", db,
            d -> d.database().map(DejaDatabase::readsReplica).orElse(false) ? 1 : 0)
        .description("1 while lookups read the read replica, 0 while they read the primary")
        .register(registry);
    Gauge.builder("deja.db.replica.lag", db,
            d -> d.database().map(DejaDatabase::replicaLagMillis).orElse(-1L))
        .description("Replica lag behind the primary at the last check; -1: not answering")
        .baseUnit("milliseconds")
        .register(registry);
  }
}
