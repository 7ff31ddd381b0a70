package dev.deja.db.internal;

import static dev.deja.db.internal.Failures.SQLSTATE_FK_VIOLATION;
import static dev.deja.db.internal.Failures.unavailable;

import com.pgvector.PGvector;
import dev.deja.db.DailyCounts;
import dev.deja.db.DatabaseConfig;
import dev.deja.db.HitRecord;
import dev.deja.db.NewAlias;
import dev.deja.db.NewEntry;
import dev.deja.db.StoreOutcome;
import dev.deja.db.StoredRequest;
import dev.deja.db.StoredResponse;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The data plane's writes: a store after an origin response, an alias after a semantic hit, and
 * the batched hit and outcome counters. Hand-written JDBC on the store budget: upserts with
 * {@code ON CONFLICT}, {@code RETURNING (xmax = 0)} and {@code unnest} arrays have no JPA form
 * that stays one statement.
 */
final class Writes {

  // An alias serves its target's image: when the target goes, or gets a new image, so must it.
  static final String DELETE_ALIASES_OF =
      "DELETE FROM cache_entry WHERE source = 'alias' AND alias_of = ?";

  private static final String INSERT_BLOB = "INSERT INTO image_blob"
      + " (sha256, bytes, byte_size, content_type) VALUES (?, ?, ?, ?)"
      + " ON CONFLICT (sha256) DO NOTHING";
  private static final String INSERT_BLOB_OBJECT = "INSERT INTO image_blob"
      + " (sha256, storage_uri, byte_size, content_type) VALUES (?, ?, ?, ?)"
      + " ON CONFLICT (sha256) DO NOTHING";
  private static final String BLOB_EXISTS = "SELECT 1 FROM image_blob WHERE sha256 = ?";

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

  /** Whether an operator marked the hit of alias key ?1 on target ?2 wrong (console verdicts). */
  private static final String MARKED_WRONG = "EXISTS (SELECT 1 FROM match_feedback f"
      + " WHERE f.alias_key = ? AND f.target_key = ? AND f.label = 0)";

  private static final String STORE_ALIAS = "INSERT INTO cache_entry (cache_key, prompt,"
      + " normalized_prompt, model, width, height, seed, quality, negative_prompt,"
      + " image_inputs_hash, params, bucket, embedding_model_id, status, content_type, headers,"
      + " blob_sha256, expires_at, source, alias_of, alias_similarity)"
      + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, t.status, t.content_type,"
      + " t.headers, t.blob_sha256, least(?::timestamptz, t.expires_at), 'alias', t.cache_key, ?"
      + " FROM cache_entry t WHERE t.cache_key = ?"
      + " AND (t.expires_at IS NULL OR t.expires_at > now())"
      + " AND NOT " + MARKED_WRONG
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

  private final BoundConnections connections;
  private final ObjectImages objects;
  private final int embeddingDimension;

  Writes(BoundConnections connections, ObjectImages objects, DatabaseConfig config) {
    this.connections = connections;
    this.objects = objects;
    this.embeddingDimension = config.embeddingDimension();
  }

  StoreOutcome store(NewEntry entry, byte[] image, boolean replace) {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(image, "image");
    if (entry.embedding() != null && entry.embedding().length != embeddingDimension) {
      throw new IllegalArgumentException("embedding has dimension " + entry.embedding().length
          + " but the schema stores " + embeddingDimension);
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

  /**
   * With an object store, an image whose SHA-256 has no row yet is written to the store and
   * verified first, and only then does the row that references it commit: no entry can point to
   * a missing object. If that row does not commit (a race, a failure), the object is deleted at
   * once, or else by the sweep after its grace period.
   */
  private StoreOutcome storeOnce(NewEntry e, byte[] image, String sha, boolean replace)
      throws SQLException {
    String uri = objects.writesObjects() && !blobExists(sha)
        ? objects.put(sha, image, e.contentType())
        : null;
    boolean objectReferenced = false;
    try (Connection c = connections.store()) {
      try {
        boolean blobInserted = false;
        if (uri != null) {
          try (PreparedStatement ps = c.prepareStatement(INSERT_BLOB_OBJECT)) {
            ps.setString(1, sha);
            ps.setString(2, uri);
            ps.setLong(3, image.length);
            ps.setString(4, e.contentType());
            blobInserted = ps.executeUpdate() == 1;
          }
        } else if (!objects.writesObjects()) {
          try (PreparedStatement ps = c.prepareStatement(INSERT_BLOB)) {
            ps.setString(1, sha);
            ps.setBytes(2, image);
            ps.setLong(3, image.length);
            ps.setString(4, e.contentType());
            ps.executeUpdate();
          }
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
          ps.setString(i++, Json.write(e.headers()));
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
          objectReferenced = blobInserted;
        }
        return outcome;
      } catch (SQLException | RuntimeException ex) {
        c.rollback();
        throw ex;
      }
    } finally {
      if (uri != null && !objectReferenced) {
        objects.deleteAfterCommit(List.of(uri));
      }
    }
  }

  private boolean blobExists(String sha) throws SQLException {
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement(BLOB_EXISTS)) {
      ps.setString(1, sha);
      try (ResultSet rs = ps.executeQuery()) {
        boolean exists = rs.next();
        c.commit();
        return exists;
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
    ps.setString(i++, Json.write(new TreeMap<>(r.params())));
    ps.setString(i++, r.bucket());
    return i;
  }

  StoreOutcome storeAlias(NewAlias a) {
    Objects.requireNonNull(a, "alias");
    try (Connection c = connections.store()) {
      int rows;
      try (PreparedStatement ps = c.prepareStatement(STORE_ALIAS)) {
        int i = 1;
        ps.setString(i++, a.cacheKey());
        i = bindRequest(ps, i, a.request());
        ps.setString(i++, a.embeddingModelId());
        ps.setTimestamp(i++, timestamp(a.expiresAt()));
        ps.setDouble(i++, a.similarity());
        ps.setString(i++, a.targetKey());
        ps.setString(i++, a.cacheKey());
        ps.setString(i, a.targetKey());
        rows = ps.executeUpdate();
      }
      StoreOutcome outcome = StoreOutcome.STORED;
      if (rows == 0) {
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM cache_entry"
            + " WHERE cache_key = ?), " + MARKED_WRONG)) {
          ps.setString(1, a.cacheKey());
          ps.setString(2, a.cacheKey());
          ps.setString(3, a.targetKey());
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            outcome = rs.getBoolean(1) ? StoreOutcome.ALREADY_PRESENT
                : rs.getBoolean(2) ? StoreOutcome.MARKED_WRONG
                : StoreOutcome.TARGET_MISSING;
          }
        }
      }
      c.commit();
      return outcome;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("storeAlias", e);
    }
  }

  void recordHits(Collection<HitRecord> hits) {
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
    try (Connection c = connections.store();
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

  /**
   * Adds to the day's counters rather than setting them: several servers flush into the same
   * row, which an {@code ON CONFLICT ... SET x = x + EXCLUDED.x} does without reading it first.
   */
  void recordOutcomes(Collection<DailyCounts> counts) {
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
    try (Connection c = connections.store();
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

  private static long micros(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
  }
}
