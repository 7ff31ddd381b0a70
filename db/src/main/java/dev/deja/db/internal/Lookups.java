package dev.deja.db.internal;

import static dev.deja.db.internal.Failures.unavailable;

import com.pgvector.PGvector;
import dev.deja.db.DatabaseConfig;
import dev.deja.db.EntrySource;
import dev.deja.db.ImageBody;
import dev.deja.db.Neighbor;
import dev.deja.db.StoredResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The request path's reads: hand-written JDBC, one statement and one round trip each (plus a
 * bounded partition count now and then), on a lookup connection whose session already holds the
 * lookup budget and settings ({@link BoundConnections#lookupSessionSql}), in auto-commit. Never
 * JPA: a session, a flush and a second round trip are what a lookup cannot afford
 * (ArchitectureTest holds this).
 */
final class Lookups {

  /**
   * Partitions with more origin rows than this use HNSW with an iterative scan; smaller ones an
   * exact scan that the planner cannot turn into an HNSW scan. Measured: docs/DATABASE.md.
   */
  static final int HNSW_PARTITION_THRESHOLD = 5_000;
  /**
   * Candidates a lookup through the global index takes before keeping the k nearest: its
   * relaxed-order iterative scan yields the first rows that pass the partition filter, not the
   * best ones (docs/DATABASE.md). A partition's own index needs none: every candidate qualifies.
   */
  static final int GLOBAL_INDEX_CANDIDATES = 200;
  /** hnsw.iterative_scan for the large-partition path: see {@link #NEAREST_HNSW}. */
  static final String HNSW_ITERATIVE_SCAN = "relaxed_order";
  /** pgvector's upper bound for hnsw.ef_search, which must be at least k. */
  static final int MAX_K = 1000;

  private static final String NOT_EXPIRED = "(expires_at IS NULL OR expires_at > now())";

  private static final String FIND_EXACT = "SELECT e.cache_key, e.status, e.content_type,"
      + " e.headers::text, b.bytes, e.created_at, e.expires_at, e.source, e.prompt, e.bucket,"
      + " e.alias_of, e.alias_similarity, e.blob_sha256, b.storage_uri, b.byte_size"
      + " FROM cache_entry e JOIN image_blob b ON b.sha256 = e.blob_sha256"
      + " WHERE e.cache_key = ?"
      + " AND (e.expires_at IS NULL OR e.expires_at > now() - make_interval(secs => ?))";

  // ORDER BY an expression over the distance (not the bare <=> operator) so the planner can never
  // answer this with HNSW, which filters after taking ef_search candidates and can return nothing.
  private static final String NEAREST_EXACT = "SELECT cache_key, prompt,"
      + " 1 - (embedding <=> ?) AS similarity FROM cache_entry WHERE " + Partition.WHERE
      + " AND " + NOT_EXPIRED + " ORDER BY similarity DESC, cache_key LIMIT ?";

  // Iterative scan returns candidates in relaxed order; the outer sort restores true order.
  private static final String NEAREST_HNSW = "WITH c AS MATERIALIZED (SELECT cache_key, prompt,"
      + " embedding <=> ? AS distance FROM cache_entry WHERE " + Partition.WHERE
      + " AND " + NOT_EXPIRED + " ORDER BY embedding <=> ? LIMIT ?)"
      + " SELECT cache_key, prompt, 1 - distance AS similarity FROM c"
      + " ORDER BY distance, cache_key LIMIT ?";

  private static final String HAS_CANDIDATES = "SELECT EXISTS (SELECT 1 FROM cache_entry WHERE "
      + Partition.WHERE + " AND " + NOT_EXPIRED + ")";

  private final BoundConnections connections;
  private final PartitionSizes partitionSizes;
  private final PartitionIndexes indexes;
  private final ObjectImages objects;
  private final int embeddingDimension;
  private final int efSearch;

  Lookups(BoundConnections connections, PartitionSizes partitionSizes, PartitionIndexes indexes,
      ObjectImages objects, DatabaseConfig config) {
    this.connections = connections;
    this.partitionSizes = partitionSizes;
    this.indexes = indexes;
    this.objects = objects;
    this.embeddingDimension = config.embeddingDimension();
    this.efSearch = config.hnswEfSearch();
  }

  /**
   * The row in one round trip on the lookup budget; then, with the connection back in the pool,
   * the image of a row that keeps it in an object store (see {@link ObjectImages#body}).
   */
  Optional<StoredResponse> findExactOrStale(String cacheKey, Duration staleFor) {
    Objects.requireNonNull(cacheKey, "cacheKey");
    Row row;
    try (Connection c = connections.lookup()) {
      try (PreparedStatement ps = c.prepareStatement(FIND_EXACT)) {
        ps.setString(1, cacheKey);
        ps.setDouble(2, seconds(staleFor));
        try (ResultSet rs = ps.executeQuery()) {
          row = rs.next() ? Row.read(rs) : null;
        }
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("findExact", e);
    }
    if (row == null) {
      return Optional.empty();
    }
    ImageBody image = objects.body(row.sha256, row.bytes, row.storageUri, row.byteSize);
    return image == null ? Optional.empty() : Optional.of(row.response(image));
  }

  /** The columns of {@link #FIND_EXACT}, before the image is resolved. */
  private record Row(String cacheKey, int status, String contentType, String headers,
      byte[] bytes, Instant createdAt, Instant expiresAt, EntrySource source, String prompt,
      String bucket, String aliasOf, Double similarity, String sha256, String storageUri,
      long byteSize) {

    static Row read(ResultSet rs) throws SQLException {
      double similarity = rs.getDouble(12);
      Double aliasSimilarity = rs.wasNull() ? null : similarity;
      return new Row(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
          rs.getBytes(5), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)),
          EntrySource.fromSql(rs.getString(8)), rs.getString(9), rs.getString(10),
          rs.getString(11), aliasSimilarity, rs.getString(13), rs.getString(14), rs.getLong(15));
    }

    StoredResponse response(ImageBody image) {
      return new StoredResponse(cacheKey, status, contentType, Json.readHeaders(headers), image,
          createdAt, expiresAt, source, prompt, bucket, aliasOf, similarity, sha256);
    }
  }

  /** Whole seconds (with fractions) of a non-negative window, for make_interval. */
  static double seconds(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative()) {
      throw new IllegalArgumentException("window must be >= 0, was " + window);
    }
    return window.toMillis() / 1000.0;
  }

  boolean hasCandidates(String bucket, String model, String embeddingModelId) {
    Partition partition = new Partition(bucket, model, embeddingModelId);
    // Never answered from the partition-size cache: an entry stored a moment ago must count.
    try (Connection c = connections.lookup();
        PreparedStatement ps = c.prepareStatement(HAS_CANDIDATES)) {
      partition.bind(ps, 1);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("hasCandidates", e);
    }
  }

  List<Neighbor> findNearest(String bucket, String model, String embeddingModelId,
      float[] vector, int k) {
    Partition partition = new Partition(bucket, model, embeddingModelId);
    Objects.requireNonNull(vector, "vector");
    if (vector.length != embeddingDimension) {
      throw new IllegalArgumentException("vector has dimension " + vector.length
          + " but the schema stores " + embeddingDimension);
    }
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException("k must be within 1.." + MAX_K + " but was " + k);
    }
    PGvector query = new PGvector(vector);
    try (Connection c = connections.lookup()) {
      List<Neighbor> result;
      // HNSW only through an index that can serve this partition: its own partial one, or the
      // global one while it exists and the partition is large enough. See PartitionIndexes.
      boolean ownIndex = indexes.hasValidIndex(partition);
      if (ownIndex || indexes.globalIndex()
          && usesHnsw(partitionSizes.of(c, partition, HNSW_PARTITION_THRESHOLD + 1))) {
        result = nearestHnsw(c, partition, query, k, ownIndex ? k
            : Math.max(k, GLOBAL_INDEX_CANDIDATES));
        if (result.size() < k) {
          // HNSW (even iterative) can come back short; an exact scan is slower but never wrong.
          // It scans a partition above the threshold, so it gets a larger budget (a transaction
          // of its own: only this rare path pays for it).
          connections.extendLookupBudget(c);
          result = nearestExact(c, partition, query, k);
        }
      } else {
        result = nearestExact(c, partition, query, k);
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
      return result;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("findNearest", e);
    }
  }

  /** Which path {@link #findNearest} takes for a partition of this many rows. */
  static boolean usesHnsw(long partitionRows) {
    return partitionRows > HNSW_PARTITION_THRESHOLD;
  }

  private static List<Neighbor> nearestExact(Connection c, Partition p, PGvector q, int k)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(NEAREST_EXACT)) {
      ps.setObject(1, q);
      int i = p.bind(ps, 2);
      ps.setInt(i, k);
      return readNeighbors(ps);
    }
  }

  private List<Neighbor> nearestHnsw(Connection c, Partition p, PGvector q, int k,
      int candidates) throws SQLException {
    if (k > efSearch) {
      // The session's ef_search (BoundConnections) covers k <= efSearch; pgvector needs
      // ef_search >= k, so a larger k pays for a transaction of its own.
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL hnsw.ef_search = " + k);
      }
    }
    try (PreparedStatement ps = c.prepareStatement(NEAREST_HNSW)) {
      ps.setObject(1, q);
      int i = p.bind(ps, 2);
      ps.setObject(i++, q);
      ps.setInt(i++, candidates);
      ps.setInt(i, k);
      return readNeighbors(ps);
    }
  }

  private static List<Neighbor> readNeighbors(PreparedStatement ps) throws SQLException {
    List<Neighbor> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Neighbor(rs.getString(1), rs.getString(2), rs.getDouble(3)));
      }
    }
    return out;
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
