package dev.deja.db.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recently counted partition sizes, so choosing between HNSW and an exact scan does not cost a
 * count on every lookup. Lookups read it; bulk deletes clear it, since they can shrink a partition
 * below the threshold at once.
 */
final class PartitionSizes {

  /** How long a partition size sample is trusted before it is counted again. */
  static final long TTL_NANOS = 30_000_000_000L;
  private static final int MAX_PARTITIONS = 100_000;

  private static final String COUNT = "SELECT count(*) FROM (SELECT 1 FROM cache_entry WHERE "
      + Partition.WHERE + " LIMIT ?) s";

  private final ConcurrentHashMap<Partition, Sample> samples = new ConcurrentHashMap<>();

  /** Rows in the partition, counted at most up to {@code cap}. */
  long of(Connection c, Partition partition, int cap) throws SQLException {
    long now = System.nanoTime();
    Sample sample = samples.get(partition);
    if (sample != null && now - sample.nanos < TTL_NANOS) {
      return sample.rows;
    }
    // Counting stops at the cap: bounded cost however large the partition is.
    try (PreparedStatement ps = c.prepareStatement(COUNT)) {
      int i = partition.bind(ps, 1);
      ps.setInt(i, cap);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long rows = rs.getLong(1);
        if (samples.size() > MAX_PARTITIONS) {
          samples.clear();
        }
        samples.put(partition, new Sample(rows, now));
        return rows;
      }
    }
  }

  void clear() {
    samples.clear();
  }

  private record Sample(long rows, long nanos) {}
}
