package dev.deja.db.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pgvector.PGvector;
import dev.deja.db.CacheRepository;
import dev.deja.db.CacheStats;
import dev.deja.db.CacheUnavailableException;
import dev.deja.db.DailyCounts;
import dev.deja.db.DatabaseConfig;
import dev.deja.db.EntryFilter;
import dev.deja.db.EntrySource;
import dev.deja.db.EntrySummary;
import dev.deja.db.HitRecord;
import dev.deja.db.Neighbor;
import dev.deja.db.NewAlias;
import dev.deja.db.NewEntry;
import dev.deja.db.PurgeCriteria;
import dev.deja.db.StoreOutcome;
import dev.deja.db.StoredRequest;
import dev.deja.db.StoredResponse;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaDelete;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Predicate;
import jakarta.persistence.criteria.Root;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The PostgreSQL + pgvector implementation. Hot-path statements are native SQL on the pooled
 * connections; admin reads and bulk purges go through JPA.
 */
public final class JdbcCacheRepository implements CacheRepository {

  static final String COMPONENT = "postgresql";

  /**
   * Partitions with more origin rows than this use HNSW with an iterative scan; smaller ones an
   * exact scan that the planner cannot turn into an HNSW scan. Measured: docs/DATABASE.md.
   */
  public static final int HNSW_PARTITION_THRESHOLD = 5_000;
  /** hnsw.ef_search for the large-partition path; see docs/DATABASE.md. */
  public static final int HNSW_EF_SEARCH = 200;
  /** How long a partition size sample is trusted before it is counted again. */
  static final long PARTITION_SIZE_TTL_NANOS = 30_000_000_000L;

  static final int NETWORK_GRACE_MS = 400;
  /** pgvector's upper bound for hnsw.ef_search, which must be at least k. */
  static final int MAX_K = 1000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, List<String>>> HEADERS_TYPE =
      new TypeReference<>() {};
  private static final Executor DIRECT = Runnable::run;
  private static final String SQLSTATE_FK_VIOLATION = "23503";

  private static final String NOT_EXPIRED = "(expires_at IS NULL OR expires_at > now())";
  private static final String PARTITION =
      "bucket = ? AND model = ? AND embedding_model_id = ? AND source = 'origin'"
          + " AND embedding IS NOT NULL";

  private static final String FIND_EXACT = "SELECT e.cache_key, e.status, e.content_type,"
      + " e.headers::text, b.bytes, e.created_at, e.expires_at, e.source, e.prompt, e.bucket,"
      + " e.alias_of, e.alias_similarity, e.blob_sha256"
      + " FROM cache_entry e JOIN image_blob b ON b.sha256 = e.blob_sha256"
      + " WHERE e.cache_key = ?"
      + " AND (e.expires_at IS NULL OR e.expires_at > now() - make_interval(secs => ?))";

  // ORDER BY an expression over the distance (not the bare <=> operator) so the planner can never
  // answer this with HNSW, which filters after taking ef_search candidates and can return nothing.
  private static final String NEAREST_EXACT = "SELECT cache_key, prompt,"
      + " 1 - (embedding <=> ?) AS similarity FROM cache_entry WHERE " + PARTITION
      + " AND " + NOT_EXPIRED + " ORDER BY similarity DESC, cache_key LIMIT ?";

  // Iterative scan returns candidates in relaxed order; the outer sort restores true order.
  private static final String NEAREST_HNSW = "WITH c AS MATERIALIZED (SELECT cache_key, prompt,"
      + " embedding <=> ? AS distance FROM cache_entry WHERE " + PARTITION + " AND " + NOT_EXPIRED
      + " ORDER BY embedding <=> ? LIMIT ?)"
      + " SELECT cache_key, prompt, 1 - distance AS similarity FROM c"
      + " ORDER BY distance, cache_key LIMIT ?";

  // An alias serves its target's image: when the target goes, or gets a new image, so must it.
  private static final String DELETE_ALIASES_OF =
      "DELETE FROM cache_entry WHERE source = 'alias' AND alias_of = ?";
  private static final String DELETE_DANGLING_ALIASES = "DELETE FROM cache_entry a"
      + " WHERE a.source = 'alias'"
      + " AND NOT EXISTS (SELECT 1 FROM cache_entry t WHERE t.cache_key = a.alias_of)";

  private static final String HAS_CANDIDATES =
      "SELECT EXISTS (SELECT 1 FROM cache_entry WHERE " + PARTITION + " AND " + NOT_EXPIRED + ")";

  private static final String PARTITION_SIZE =
      "SELECT count(*) FROM (SELECT 1 FROM cache_entry WHERE " + PARTITION + " LIMIT ?) s";

  private static final String INSERT_BLOB = "INSERT INTO image_blob"
      + " (sha256, bytes, byte_size, content_type) VALUES (?, ?, ?, ?)"
      + " ON CONFLICT (sha256) DO NOTHING";

  private static final String ENTRY_COLUMNS = "cache_key, prompt, normalized_prompt, model,"
      + " width, height, seed, quality, negative_prompt, image_inputs_hash, params, bucket,"
      + " embedding, embedding_model_id, status, content_type, headers, blob_sha256, expires_at";

  private static final String REPLACE_SET = " DO UPDATE SET prompt = EXCLUDED.prompt,"
      + " normalized_prompt = EXCLUDED.normalized_prompt, model = EXCLUDED.model,"
      + " width = EXCLUDED.width, height = EXCLUDED.height, seed = EXCLUDED.seed,"
      + " quality = EXCLUDED.quality, negative_prompt = EXCLUDED.negative_prompt,"
      + " image_inputs_hash = EXCLUDED.image_inputs_hash, params = EXCLUDED.params,"
      + " bucket = EXCLUDED.bucket, embedding = EXCLUDED.embedding,"
      + " embedding_model_id = EXCLUDED.embedding_model_id, status = EXCLUDED.status,"
      + " content_type = EXCLUDED.content_type, headers = EXCLUDED.headers,"
      + " blob_sha256 = EXCLUDED.blob_sha256, expires_at = EXCLUDED.expires_at,"
      + " created_at = now(), last_hit_at = NULL, exact_hits = 0, semantic_hits = 0,"
      + " source = 'origin', alias_of = NULL, alias_similarity = NULL";

  private static final String INSERT_ENTRY = "INSERT INTO cache_entry (" + ENTRY_COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)"
      + " ON CONFLICT (cache_key)";

  // Without replace, an expired entry under the key still gives way to the fresh response.
  private static final String STORE_KEEP = INSERT_ENTRY + REPLACE_SET
      + " WHERE cache_entry.expires_at IS NOT NULL AND cache_entry.expires_at <= now()"
      + " RETURNING (xmax = 0) AS inserted";
  private static final String STORE_REPLACE = INSERT_ENTRY + REPLACE_SET
      + " RETURNING (xmax = 0) AS inserted";

  private static final String STORE_ALIAS = "INSERT INTO cache_entry (cache_key, prompt,"
      + " normalized_prompt, model, width, height, seed, quality, negative_prompt,"
      + " image_inputs_hash, params, bucket, embedding_model_id, status, content_type, headers,"
      + " blob_sha256, expires_at, source, alias_of, alias_similarity)"
      + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, t.status, t.content_type,"
      + " t.headers, t.blob_sha256, least(?::timestamptz, t.expires_at), 'alias', t.cache_key, ?"
      + " FROM cache_entry t WHERE t.cache_key = ?"
      + " AND (t.expires_at IS NULL OR t.expires_at > now())"
      + " ON CONFLICT (cache_key) DO NOTHING";

  private static final String RECORD_HITS = "UPDATE cache_entry e"
      + " SET exact_hits = e.exact_hits + h.x, semantic_hits = e.semantic_hits + h.s,"
      + " last_hit_at = greatest(e.last_hit_at, to_timestamp(h.t / 1000000.0))"
      + " FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[]) AS h(k, x, s, t)"
      + " WHERE e.cache_key = h.k";

  private static final String RECORD_OUTCOMES = "INSERT INTO daily_counter (day, requests,"
      + " exact_hits, semantic_hits, misses, bypasses, stores, store_drops)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET"
      + " requests = daily_counter.requests + EXCLUDED.requests,"
      + " exact_hits = daily_counter.exact_hits + EXCLUDED.exact_hits,"
      + " semantic_hits = daily_counter.semantic_hits + EXCLUDED.semantic_hits,"
      + " misses = daily_counter.misses + EXCLUDED.misses,"
      + " bypasses = daily_counter.bypasses + EXCLUDED.bypasses,"
      + " stores = daily_counter.stores + EXCLUDED.stores,"
      + " store_drops = daily_counter.store_drops + EXCLUDED.store_drops";

  private static final String DELETE_EXPIRED = "DELETE FROM cache_entry WHERE cache_key IN"
      + " (SELECT cache_key FROM cache_entry WHERE expires_at <= now() - make_interval(secs => ?)"
      + " LIMIT ? FOR UPDATE SKIP LOCKED)";

  private static final String DELETE_ORPHANS = "DELETE FROM image_blob WHERE sha256 IN"
      + " (SELECT b.sha256 FROM image_blob b WHERE NOT EXISTS"
      + " (SELECT 1 FROM cache_entry e WHERE e.blob_sha256 = b.sha256)"
      + " LIMIT ? FOR UPDATE SKIP LOCKED)";

  private static final String DELETE_ORPHANS_AMONG = "DELETE FROM image_blob b"
      + " WHERE b.sha256 = ANY (?::text[]) AND NOT EXISTS"
      + " (SELECT 1 FROM cache_entry e WHERE e.blob_sha256 = b.sha256)";

  private static final String TOTAL_BLOB_BYTES = "SELECT coalesce(sum(byte_size), 0)"
      + " FROM image_blob";

  // Victims in least-recently-hit order until the bytes they carry cover the excess. Shared blobs
  // are counted per entry, so this can under-delete; the caller loops.
  private static final String EVICT = "WITH v AS (SELECT e.cache_key, sum(b.byte_size) OVER"
      + " (ORDER BY coalesce(e.last_hit_at, e.created_at), e.cache_key) - b.byte_size AS before"
      + " FROM cache_entry e JOIN image_blob b ON b.sha256 = e.blob_sha256"
      + " ORDER BY coalesce(e.last_hit_at, e.created_at), e.cache_key LIMIT ?)"
      + " DELETE FROM cache_entry d USING v WHERE d.cache_key = v.cache_key AND v.before < ?"
      + " RETURNING d.blob_sha256";

  private final DataSource dataSource;
  private final EntityManagerFactory emf;
  private final DatabaseConfig config;
  private final int lookupTimeoutMs;
  private final int lookupNetworkTimeoutMs;
  private final int storeTimeoutMs;
  private final int storeNetworkTimeoutMs;
  private final ConcurrentHashMap<PartitionKey, SizeSample> partitionSizes =
      new ConcurrentHashMap<>();

  public JdbcCacheRepository(DataSource dataSource, EntityManagerFactory emf,
      DatabaseConfig config) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.emf = Objects.requireNonNull(emf, "emf");
    this.config = Objects.requireNonNull(config, "config");
    this.lookupTimeoutMs = (int) config.lookupTimeout().toMillis();
    // statement_timeout handles slow queries; the socket timeout catches a server that stopped
    // answering at all. 150 ms proved too tight on a loaded 2-core machine (a CPU-starved but
    // healthy backend tripped it), so it allows 400 ms on top: still well under a second.
    this.lookupNetworkTimeoutMs = lookupTimeoutMs + NETWORK_GRACE_MS;
    this.storeTimeoutMs = (int) Math.min(Integer.MAX_VALUE, config.storeTimeout().toMillis());
    this.storeNetworkTimeoutMs = (int) Math.min(Integer.MAX_VALUE, storeTimeoutMs + 1000L);
  }

  @Override
  public Optional<StoredResponse> findExactOrStale(String cacheKey, Duration staleFor) {
    Objects.requireNonNull(cacheKey, "cacheKey");
    try (Connection c = lookupConnection()) {
      try (PreparedStatement ps = c.prepareStatement(FIND_EXACT)) {
        ps.setString(1, cacheKey);
        ps.setDouble(2, seconds(staleFor));
        try (ResultSet rs = ps.executeQuery()) {
          Optional<StoredResponse> result = Optional.empty();
          if (rs.next()) {
            double similarity = rs.getDouble(12);
            result = Optional.of(new StoredResponse(rs.getString(1), rs.getInt(2),
                rs.getString(3), readHeaders(rs.getString(4)), rs.getBytes(5),
                instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)),
                EntrySource.fromSql(rs.getString(8)), rs.getString(9), rs.getString(10),
                rs.getString(11), rs.wasNull() ? null : similarity, rs.getString(13)));
          }
          c.commit();
          return result;
        }
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("findExact", e);
    }
  }

  /** Whole seconds (with fractions) of a non-negative window, for make_interval. */
  private static double seconds(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative()) {
      throw new IllegalArgumentException("window must be >= 0, was " + window);
    }
    return window.toMillis() / 1000.0;
  }

  @Override
  public boolean hasCandidates(String bucket, String model, String embeddingModelId) {
    PartitionKey partition = new PartitionKey(
        Objects.requireNonNull(bucket, "bucket"),
        Objects.requireNonNull(model, "model"),
        Objects.requireNonNull(embeddingModelId, "embeddingModelId"));
    // Never answered from the partition-size cache: an entry stored a moment ago must count.
    try (Connection c = lookupConnection();
        PreparedStatement ps = c.prepareStatement(HAS_CANDIDATES)) {
      bindPartition(ps, 1, partition);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        boolean any = rs.getBoolean(1);
        c.commit();
        return any;
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("hasCandidates", e);
    }
  }

  @Override
  public List<Neighbor> findNearest(String bucket, String model, String embeddingModelId,
      float[] vector, int k) {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(embeddingModelId, "embeddingModelId");
    Objects.requireNonNull(vector, "vector");
    if (vector.length != config.embeddingDimension()) {
      throw new IllegalArgumentException("vector has dimension " + vector.length
          + " but the schema stores " + config.embeddingDimension());
    }
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException("k must be within 1.." + MAX_K + " but was " + k);
    }
    PartitionKey partition = new PartitionKey(bucket, model, embeddingModelId);
    PGvector query = new PGvector(vector);
    try (Connection c = lookupConnection()) {
      long size = partitionSize(c, partition);
      List<Neighbor> result;
      if (size > HNSW_PARTITION_THRESHOLD) {
        result = nearestHnsw(c, partition, query, k);
        if (result.size() < k) {
          // HNSW (even iterative) can come back short; an exact scan is slower but never wrong.
          // It needs its own statement budget, or the HNSW attempt would have used it up.
          try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL statement_timeout = " + lookupTimeoutMs * 4);
          }
          result = nearestExact(c, partition, query, k);
        }
      } else {
        result = nearestExact(c, partition, query, k);
      }
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("findNearest", e);
    }
  }

  /** Which path {@link #findNearest} takes for a partition of this many rows. */
  public static boolean usesHnsw(long partitionRows) {
    return partitionRows > HNSW_PARTITION_THRESHOLD;
  }

  private long partitionSize(Connection c, PartitionKey partition) throws SQLException {
    long now = System.nanoTime();
    SizeSample sample = partitionSizes.get(partition);
    if (sample != null && now - sample.nanos < PARTITION_SIZE_TTL_NANOS) {
      return sample.rows;
    }
    // Counting stops one past the threshold: bounded cost however large the partition is.
    try (PreparedStatement ps = c.prepareStatement(PARTITION_SIZE)) {
      int i = bindPartition(ps, 1, partition);
      ps.setInt(i, HNSW_PARTITION_THRESHOLD + 1);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long rows = rs.getLong(1);
        if (partitionSizes.size() > 100_000) {
          partitionSizes.clear();
        }
        partitionSizes.put(partition, new SizeSample(rows, now));
        return rows;
      }
    }
  }

  private static List<Neighbor> nearestExact(Connection c, PartitionKey p, PGvector q, int k)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(NEAREST_EXACT)) {
      ps.setObject(1, q);
      int i = bindPartition(ps, 2, p);
      ps.setInt(i, k);
      return readNeighbors(ps);
    }
  }

  private static List<Neighbor> nearestHnsw(Connection c, PartitionKey p, PGvector q, int k)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL hnsw.ef_search = " + Math.max(HNSW_EF_SEARCH, k)
          + "; SET LOCAL hnsw.iterative_scan = relaxed_order");
    }
    try (PreparedStatement ps = c.prepareStatement(NEAREST_HNSW)) {
      ps.setObject(1, q);
      int i = bindPartition(ps, 2, p);
      ps.setObject(i++, q);
      // A relaxed-order iterative scan yields the first rows that pass the partition filter, not
      // the best ones: take ef_search candidates and keep the k nearest of them.
      ps.setInt(i++, Math.max(k, HNSW_EF_SEARCH));
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

  private static int bindPartition(PreparedStatement ps, int i, PartitionKey p)
      throws SQLException {
    ps.setString(i++, p.bucket);
    ps.setString(i++, p.model);
    ps.setString(i++, p.embeddingModelId);
    return i;
  }

  @Override
  public StoreOutcome store(NewEntry entry, byte[] image, boolean replace) {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(image, "image");
    if (entry.embedding() != null && entry.embedding().length != config.embeddingDimension()) {
      throw new IllegalArgumentException("embedding has dimension " + entry.embedding().length
          + " but the schema stores " + config.embeddingDimension());
    }
    String sha = StoredResponse.sha256Of(image);
    try {
      try {
        return storeOnce(entry, image, sha, replace);
      } catch (SQLException e) {
        if (!SQLSTATE_FK_VIOLATION.equals(e.getSQLState())) {
          throw e;
        }
        // The orphan sweeper deleted the shared blob between our insert and the entry's FK
        // check; the second attempt writes the blob again.
        return storeOnce(entry, image, sha, replace);
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("store", e);
    }
  }

  private StoreOutcome storeOnce(NewEntry e, byte[] image, String sha, boolean replace)
      throws SQLException {
    try (Connection c = storeConnection()) {
      try {
        try (PreparedStatement ps = c.prepareStatement(INSERT_BLOB)) {
          ps.setString(1, sha);
          ps.setBytes(2, image);
          ps.setLong(3, image.length);
          ps.setString(4, e.contentType());
          ps.executeUpdate();
        }
        StoreOutcome outcome;
        try (PreparedStatement ps = c.prepareStatement(replace ? STORE_REPLACE : STORE_KEEP)) {
          int i = 1;
          ps.setString(i++, e.cacheKey());
          i = bindRequest(ps, i, e.request());
          if (e.embedding() == null) {
            ps.setNull(i++, Types.OTHER);
          } else {
            ps.setObject(i++, new PGvector(e.embedding()));
          }
          ps.setString(i++, e.embeddingModelId());
          ps.setInt(i++, e.status());
          ps.setString(i++, e.contentType());
          ps.setString(i++, json(e.headers()));
          ps.setString(i++, sha);
          ps.setTimestamp(i, timestamp(e.expiresAt()));
          try (ResultSet rs = ps.executeQuery()) {
            outcome = !rs.next() ? StoreOutcome.ALREADY_PRESENT
                : rs.getBoolean(1) ? StoreOutcome.STORED : StoreOutcome.REPLACED;
          }
        }
        if (outcome == StoreOutcome.REPLACED) {
          try (PreparedStatement ps = c.prepareStatement(DELETE_ALIASES_OF)) {
            ps.setString(1, e.cacheKey());
            ps.executeUpdate();
          }
        }
        if (outcome == StoreOutcome.ALREADY_PRESENT) {
          c.rollback(); // do not leave a blob nobody references
        } else {
          c.commit();
        }
        return outcome;
      } catch (SQLException | RuntimeException ex) {
        c.rollback();
        throw ex;
      }
    }
  }

  /** Binds the request columns, in table order, from {@code i}; returns the next index. */
  private static int bindRequest(PreparedStatement ps, int i, StoredRequest r)
      throws SQLException {
    ps.setString(i++, r.prompt());
    ps.setString(i++, r.normalizedPrompt());
    ps.setString(i++, r.model());
    setInt(ps, i++, r.width());
    setInt(ps, i++, r.height());
    setLong(ps, i++, r.seed());
    ps.setString(i++, r.quality());
    ps.setString(i++, r.negativePrompt());
    ps.setString(i++, r.imageInputsHash());
    ps.setString(i++, json(new TreeMap<>(r.params())));
    ps.setString(i++, r.bucket());
    return i;
  }

  @Override
  public StoreOutcome storeAlias(NewAlias a) {
    Objects.requireNonNull(a, "alias");
    try (Connection c = storeConnection()) {
      int rows;
      try (PreparedStatement ps = c.prepareStatement(STORE_ALIAS)) {
        int i = 1;
        ps.setString(i++, a.cacheKey());
        i = bindRequest(ps, i, a.request());
        ps.setString(i++, a.embeddingModelId());
        ps.setTimestamp(i++, timestamp(a.expiresAt()));
        ps.setDouble(i++, a.similarity());
        ps.setString(i, a.targetKey());
        rows = ps.executeUpdate();
      }
      StoreOutcome outcome = StoreOutcome.STORED;
      if (rows == 0) {
        try (PreparedStatement ps =
            c.prepareStatement("SELECT 1 FROM cache_entry WHERE cache_key = ?")) {
          ps.setString(1, a.cacheKey());
          try (ResultSet rs = ps.executeQuery()) {
            outcome = rs.next() ? StoreOutcome.ALREADY_PRESENT : StoreOutcome.TARGET_MISSING;
          }
        }
      }
      c.commit();
      return outcome;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("storeAlias", e);
    }
  }

  @Override
  public void recordHits(Collection<HitRecord> hits) {
    Objects.requireNonNull(hits, "hits");
    if (hits.isEmpty()) {
      return;
    }
    // Sorted keys: concurrent batches lock rows in the same order and cannot deadlock.
    TreeMap<String, long[]> byKey = new TreeMap<>();
    for (HitRecord h : hits) {
      long[] acc = byKey.computeIfAbsent(h.cacheKey(), key -> new long[] {0, 0, Long.MIN_VALUE});
      acc[h.kind() == HitRecord.Kind.EXACT ? 0 : 1]++;
      acc[2] = Math.max(acc[2], micros(h.at()));
    }
    int n = byKey.size();
    String[] keys = new String[n];
    Long[] exact = new Long[n];
    Long[] semantic = new Long[n];
    Long[] at = new Long[n];
    int i = 0;
    for (Map.Entry<String, long[]> en : byKey.entrySet()) {
      keys[i] = en.getKey();
      exact[i] = en.getValue()[0];
      semantic[i] = en.getValue()[1];
      at[i] = en.getValue()[2];
      i++;
    }
    try (Connection c = storeConnection();
        PreparedStatement ps = c.prepareStatement(RECORD_HITS)) {
      Array a1 = c.createArrayOf("text", keys);
      Array a2 = c.createArrayOf("int8", exact);
      Array a3 = c.createArrayOf("int8", semantic);
      Array a4 = c.createArrayOf("int8", at);
      ps.setArray(1, a1);
      ps.setArray(2, a2);
      ps.setArray(3, a3);
      ps.setArray(4, a4);
      ps.executeUpdate();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      throw unavailable("recordHits", e);
    }
  }

  @Override
  public void recordOutcomes(Collection<DailyCounts> counts) {
    Objects.requireNonNull(counts, "counts");
    if (counts.isEmpty()) {
      return;
    }
    TreeMap<LocalDate, long[]> byDay = new TreeMap<>();
    for (DailyCounts d : counts) {
      long[] acc = byDay.computeIfAbsent(d.day(), day -> new long[7]);
      acc[0] += d.requests();
      acc[1] += d.exactHits();
      acc[2] += d.semanticHits();
      acc[3] += d.misses();
      acc[4] += d.bypasses();
      acc[5] += d.stores();
      acc[6] += d.storeDrops();
    }
    try (Connection c = storeConnection();
        PreparedStatement ps = c.prepareStatement(RECORD_OUTCOMES)) {
      for (Map.Entry<LocalDate, long[]> en : byDay.entrySet()) {
        ps.setObject(1, en.getKey());
        for (int j = 0; j < 7; j++) {
          ps.setLong(j + 2, en.getValue()[j]);
        }
        ps.addBatch();
      }
      ps.executeBatch();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      throw unavailable("recordOutcomes", e);
    }
  }

  @Override
  public boolean delete(String cacheKey) {
    Objects.requireNonNull(cacheKey, "cacheKey");
    try (Connection c = storeConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM cache_entry WHERE cache_key = ?");
        PreparedStatement aliases = c.prepareStatement(DELETE_ALIASES_OF)) {
      ps.setString(1, cacheKey);
      int rows = ps.executeUpdate();
      aliases.setString(1, cacheKey);
      aliases.executeUpdate();
      c.commit();
      return rows > 0;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("delete", e);
    }
  }

  @Override
  public int purge(PurgeCriteria criteria) {
    Objects.requireNonNull(criteria, "criteria");
    EntityManager em = emf.createEntityManager();
    try {
      em.getTransaction().begin();
      CriteriaBuilder cb = em.getCriteriaBuilder();
      CriteriaDelete<CacheEntryEntity> delete = cb.createCriteriaDelete(CacheEntryEntity.class);
      Root<CacheEntryEntity> e = delete.from(CacheEntryEntity.class);
      List<Predicate> where =
          matching(cb, e, criteria.model(), criteria.bucket(), criteria.createdBefore());
      delete.where(where.toArray(new Predicate[0]));
      int rows = em.createQuery(delete).executeUpdate();
      em.createNativeQuery(DELETE_DANGLING_ALIASES).executeUpdate();
      em.getTransaction().commit();
      partitionSizes.clear();
      return rows;
    } catch (RuntimeException ex) {
      if (em.getTransaction().isActive()) {
        em.getTransaction().rollback();
      }
      throw unavailable("purge", ex);
    } finally {
      em.close();
    }
  }

  @Override
  public int deleteExpired(Duration keepFor, int batchSize) {
    requirePositive("batchSize", batchSize);
    try (Connection c = storeConnection();
        PreparedStatement ps = c.prepareStatement(DELETE_EXPIRED)) {
      ps.setDouble(1, seconds(keepFor));
      ps.setInt(2, batchSize);
      int rows = ps.executeUpdate();
      c.commit();
      return rows;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("deleteExpired", e);
    }
  }

  @Override
  public int evictToByteBudget(long budgetBytes, int batchSize) {
    if (budgetBytes < 0) {
      throw new IllegalArgumentException("budgetBytes must be >= 0 but was " + budgetBytes);
    }
    requirePositive("batchSize", batchSize);
    int deleted = 0;
    try (Connection c = storeConnection()) {
      while (deleted < batchSize) {
        long total;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(TOTAL_BLOB_BYTES)) {
          rs.next();
          total = rs.getLong(1);
        }
        long excess = total - budgetBytes;
        if (excess <= 0) {
          break;
        }
        List<String> shas = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(EVICT)) {
          ps.setInt(1, batchSize - deleted);
          ps.setLong(2, excess);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              shas.add(rs.getString(1));
            }
          }
        }
        if (shas.isEmpty()) {
          break;
        }
        deleted += shas.size();
        try (Statement s = c.createStatement()) {
          s.executeUpdate(DELETE_DANGLING_ALIASES);
        }
        // A store racing this round may reuse one of these blobs (foreign key violation): keep
        // the evicted entries, leave the blobs to deleteOrphanBlobs.
        Savepoint beforeBlobs = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement(DELETE_ORPHANS_AMONG)) {
          ps.setArray(1, c.createArrayOf("text", shas.toArray()));
          ps.executeUpdate();
        } catch (SQLException e) {
          if (!SQLSTATE_FK_VIOLATION.equals(e.getSQLState())) {
            throw e;
          }
          c.rollback(beforeBlobs);
        }
        c.commit();
        // SET LOCAL ended with that transaction; the next round gets its own budget.
        boundStatements(c, storeTimeoutMs, false);
      }
      c.commit();
      if (deleted > 0) {
        partitionSizes.clear();
      }
      return deleted;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("evictToByteBudget", e);
    }
  }

  @Override
  public int deleteOrphanBlobs(int batchSize) {
    requirePositive("batchSize", batchSize);
    try (Connection c = storeConnection();
        PreparedStatement ps = c.prepareStatement(DELETE_ORPHANS)) {
      try {
        ps.setInt(1, batchSize);
        int rows = ps.executeUpdate();
        c.commit();
        return rows;
      } catch (SQLException e) {
        c.rollback();
        if (SQLSTATE_FK_VIOLATION.equals(e.getSQLState())) {
          return 0; // a store adopted one of them meanwhile; the next sweep retries the rest
        }
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("deleteOrphanBlobs", e);
    }
  }

  @Override
  public CacheStats stats() {
    EntityManager em = emf.createEntityManager();
    try {
      long entries = em.createQuery(
          "select count(e) from CacheEntryEntity e where e.source = 'origin'", Long.class)
          .getSingleResult();
      long aliases = em.createQuery(
          "select count(e) from CacheEntryEntity e where e.source = 'alias'", Long.class)
          .getSingleResult();
      Object[] blobs = em.createQuery(
          "select count(b), coalesce(sum(b.byteSize), 0) from ImageBlobEntity b", Object[].class)
          .getSingleResult();
      return new CacheStats(entries, aliases, ((Number) blobs[0]).longValue(),
          ((Number) blobs[1]).longValue());
    } catch (RuntimeException e) {
      throw unavailable("stats", e);
    } finally {
      em.close();
    }
  }

  /**
   * Management plane, so JPA; bounded by the store timeout like every write, because an operator's
   * listing must not hold a pooled connection longer than the data plane would.
   */
  @Override
  public List<EntrySummary> list(EntryFilter filter, int limit, int offset) {
    Objects.requireNonNull(filter, "filter");
    requirePositive("limit", limit);
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    EntityManager em = emf.createEntityManager();
    try {
      CriteriaBuilder cb = em.getCriteriaBuilder();
      CriteriaQuery<CacheEntryEntity> query = cb.createQuery(CacheEntryEntity.class);
      Root<CacheEntryEntity> e = query.from(CacheEntryEntity.class);
      List<Predicate> where =
          matching(cb, e, filter.model(), filter.bucket(), filter.createdBefore());
      if (filter.promptContains() != null) {
        String literal = filter.promptContains().toLowerCase(Locale.ROOT)
            .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        where.add(cb.like(cb.lower(e.get("prompt")), "%" + literal + "%", '\\'));
      }
      query.select(e).where(where.toArray(new Predicate[0]))
          .orderBy(cb.desc(e.get("createdAt")), cb.asc(e.get("cacheKey")));
      return em.createQuery(query)
          .setHint("jakarta.persistence.query.timeout", storeTimeoutMs)
          .setFirstResult(offset)
          .setMaxResults(limit)
          .getResultList().stream()
          .map(r -> new EntrySummary(r.cacheKey(), r.prompt(), r.model(), r.bucket(),
              EntrySource.fromSql(r.source()), r.aliasOf(), r.createdAt(), r.expiresAt(),
              r.lastHitAt()))
          .toList();
    } catch (RuntimeException ex) {
      throw unavailable("list", ex);
    } finally {
      em.close();
    }
  }

  /** The conditions purge and list share, one per non-null argument; all must hold. */
  private static List<Predicate> matching(CriteriaBuilder cb, Root<CacheEntryEntity> e,
      String model, String bucket, Instant createdBefore) {
    List<Predicate> where = new ArrayList<>();
    if (model != null) {
      where.add(cb.equal(e.get("model"), model));
    }
    if (bucket != null) {
      where.add(cb.equal(e.get("bucket"), bucket));
    }
    if (createdBefore != null) {
      where.add(cb.lessThan(e.<Instant>get("createdAt"), createdBefore));
    }
    return where;
  }

  private Connection lookupConnection() throws SQLException {
    return connection(lookupTimeoutMs, lookupNetworkTimeoutMs, true);
  }

  private Connection storeConnection() throws SQLException {
    return connection(storeTimeoutMs, storeNetworkTimeoutMs, false);
  }

  /** A pooled connection inside a transaction whose statements are bounded in time. */
  private Connection connection(int statementTimeoutMs, int networkTimeoutMs, boolean lookup)
      throws SQLException {
    Connection c = dataSource.getConnection();
    try {
      // Hikari restores network timeout and auto-commit when the connection goes back.
      c.setNetworkTimeout(DIRECT, networkTimeoutMs);
      c.setAutoCommit(false);
      boundStatements(c, statementTimeoutMs, lookup);
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static void boundStatements(Connection c, int statementTimeoutMs, boolean lookup)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      // JIT compiles for 100+ ms once a plan's cost passes jit_above_cost (e.g. a large exact
      // scan): never worth it for a query that must answer within lookupTimeout.
      // Lookups also force custom plans: after five executions pgjdbc server-prepares them and
      // PostgreSQL may switch to a generic plan, which cannot know how large the bound partition
      // is; at 1M rows that plan read and sorted a whole 125k-row partition (0.5 s instead of
      // 16 ms, measured by ScaleBenchmark).
      s.execute("SET LOCAL statement_timeout = " + statementTimeoutMs
          + (lookup ? "; SET LOCAL jit = off; SET LOCAL plan_cache_mode = force_custom_plan" : ""));
    }
  }

  private static CacheUnavailableException unavailable(String operation, Exception e) {
    if (e instanceof CacheUnavailableException cue) {
      return cue;
    }
    if (e instanceof IllegalArgumentException iae) {
      throw iae;
    }
    return new CacheUnavailableException(COMPONENT, operation, e);
  }

  private static void requirePositive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1 but was " + value);
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize " + value, e);
    }
  }

  private static Map<String, List<String>> readHeaders(String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      return Map.copyOf(JSON.readValue(json.getBytes(StandardCharsets.UTF_8), HEADERS_TYPE));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("stored headers are not valid JSON", e);
    }
  }

  private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setInt(i, v);
    }
  }

  private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, v);
    }
  }

  private static Timestamp timestamp(Instant i) {
    return i == null ? null : Timestamp.from(i);
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  private static long micros(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
  }

  private record PartitionKey(String bucket, String model, String embeddingModelId) {}

  private record SizeSample(long rows, long nanos) {}
}
