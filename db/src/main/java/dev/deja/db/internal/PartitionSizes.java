package dev.deja.db.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Recently counted partition sizes, so choosing between HNSW and an exact scan does not cost a
 * count on every lookup. Lookups read it; bulk deletes clear it, since they can shrink a partition
 * below the threshold at once.
 */
final class PartitionSizes {

  /** How long a partition size sample is trusted before it is counted again. */
  static final Duration TTL = Duration.ofSeconds(30);
  /** Bounded: one entry per partition looked up within the TTL, least recently used out first. */
  private static final int MAX_PARTITIONS = 100_000;

  private static final String COUNT = "SELECT count(*) FROM (SELECT 1 FROM cache_entry WHERE "
      + Partition.WHERE + " LIMIT ?) s";

  private final Cache<Partition, Long> samples =
      Caffeine.newBuilder().maximumSize(MAX_PARTITIONS).expireAfterWrite(TTL).build();

  /**
   * Rows in the partition, counted at most up to {@code cap}, on the caller's connection (its
   * lookup budget). Two callers that miss at once both count: a bounded, index-only query, cheaper
   * than making one wait for the other's connection.
   */
  long of(Connection c, Partition partition, int cap) throws SQLException {
    Long cached = samples.getIfPresent(partition);
    if (cached != null) {
      return cached;
    }
    // Counting stops at the cap: bounded cost however large the partition is.
    try (PreparedStatement ps = c.prepareStatement(COUNT)) {
      int i = partition.bind(ps, 1);
      ps.setInt(i, cap);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long rows = rs.getLong(1);
        samples.put(partition, rows);
        return rows;
      }
    }
  }

  void clear() {
    samples.invalidateAll();
  }
}
