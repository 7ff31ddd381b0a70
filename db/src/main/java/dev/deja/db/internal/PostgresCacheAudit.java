package dev.deja.db.internal;

import static dev.deja.db.internal.Failures.requirePositive;
import static dev.deja.db.internal.Failures.unavailable;

import dev.deja.db.CacheAudit;
import dev.deja.db.EntryDetail;
import dev.deja.db.EntrySearch;
import dev.deja.db.EntrySource;
import dev.deja.db.MatchFeedback;
import dev.deja.db.MatchFilter;
import dev.deja.db.ServedMatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The console's reads and verdicts over plain JDBC, on the store pool and its time budget: off the
 * request path, like the rest of the management plane.
 */
final class PostgresCacheAudit implements CacheAudit {

  private static final String MATCH_COLUMNS =
      "SELECT a.cache_key, a.prompt, a.alias_of, t.prompt, a.alias_similarity, a.bucket, a.model,"
          + " t.embedding_model_id, a.created_at, a.exact_hits"
          + " FROM cache_entry a LEFT JOIN cache_entry t ON t.cache_key = a.alias_of"
          + " WHERE a.source = 'alias'";
  private static final String MATCH_FILTER =
      " AND (?::text IS NULL OR a.bucket = ?) AND (?::text IS NULL OR a.model = ?)"
          + " AND (?::float8 IS NULL OR a.alias_similarity >= ?)"
          + " AND (?::float8 IS NULL OR a.alias_similarity <= ?)";

  private final BoundConnections connections;

  PostgresCacheAudit(BoundConnections connections) {
    this.connections = connections;
  }

  @Override
  public List<ServedMatch> servedMatches(MatchFilter filter, int limit, int offset) {
    requirePage(limit, offset);
    return matches("servedMatches",
        MATCH_COLUMNS + MATCH_FILTER + " ORDER BY a.created_at DESC, a.cache_key LIMIT ? OFFSET ?",
        filter, limit, offset);
  }

  @Override
  public List<ServedMatch> sampleServedMatches(MatchFilter filter, int count) {
    requirePositive("count", count);
    return matches("sampleServedMatches",
        MATCH_COLUMNS + MATCH_FILTER + " ORDER BY random() LIMIT ? OFFSET ?", filter, count, 0);
  }

  @Override
  public Optional<ServedMatch> servedMatch(String aliasKey) {
    Objects.requireNonNull(aliasKey, "aliasKey");
    return select("servedMatch", MATCH_COLUMNS + " AND a.cache_key = ?",
        ps -> ps.setString(1, aliasKey), PostgresCacheAudit::match).stream().findFirst();
  }

  @Override
  public Optional<MatchFeedback> judge(String aliasKey, boolean correct, String decidedBy) {
    Objects.requireNonNull(aliasKey, "aliasKey");
    Objects.requireNonNull(decidedBy, "decidedBy");
    try (Connection c = connections.store()) {
      try {
        ServedMatch m;
        // Locks the alias: two verdicts on one hit record one pair and one deletion.
        try (PreparedStatement ps = c.prepareStatement(
            MATCH_COLUMNS + " AND a.cache_key = ? FOR UPDATE OF a")) {
          ps.setString(1, aliasKey);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              c.rollback();
              return Optional.empty();
            }
            m = match(rs);
          }
        }
        MatchFeedback feedback;
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO match_feedback (prompt_a, prompt_b, label, similarity, embedding_model_id,"
                + " alias_key, target_key, bucket, model, decided_by)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING decided_at")) {
          String matched = m.matchedPrompt() == null ? "" : m.matchedPrompt();
          ps.setString(1, m.requestedPrompt());
          ps.setString(2, matched);
          ps.setShort(3, (short) (correct ? 1 : 0));
          ps.setDouble(4, m.similarity());
          ps.setString(5, m.embeddingModelId());
          ps.setString(6, m.aliasKey());
          ps.setString(7, m.targetKey());
          ps.setString(8, m.bucket());
          ps.setString(9, m.model());
          ps.setString(10, decidedBy);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            feedback = new MatchFeedback(m.requestedPrompt(), matched, correct, m.similarity(),
                m.embeddingModelId(), m.aliasKey(), m.targetKey(), m.bucket(), m.model(),
                decidedBy, rs.getTimestamp(1).toInstant());
          }
        }
        if (!correct) {
          try (PreparedStatement ps = c.prepareStatement(
              "DELETE FROM cache_entry WHERE cache_key = ? AND source = 'alias'")) {
            ps.setString(1, aliasKey);
            ps.executeUpdate();
          }
        }
        c.commit();
        return Optional.of(feedback);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("judge", e);
    }
  }

  @Override
  public List<MatchFeedback> feedback() {
    return select("feedback",
        "SELECT prompt_a, prompt_b, label, similarity, embedding_model_id, alias_key,"
            + " target_key, bucket, model, decided_by, decided_at FROM (SELECT DISTINCT ON"
            + " (prompt_a, prompt_b) * FROM match_feedback ORDER BY prompt_a, prompt_b, id DESC)"
            + " latest ORDER BY id",
        ps -> { },
        rs -> new MatchFeedback(rs.getString(1), rs.getString(2), rs.getShort(3) == 1,
            rs.getDouble(4), rs.getString(5), rs.getString(6), rs.getString(7),
            rs.getString(8), rs.getString(9), rs.getString(10),
            rs.getTimestamp(11).toInstant()));
  }

  @Override
  public List<EntryDetail> entries(EntrySearch search, int limit, int offset) {
    Objects.requireNonNull(search, "search");
    requirePage(limit, offset);
    String sql = "SELECT e.cache_key, e.prompt, e.model, e.bucket, e.source, e.alias_of,"
        + " e.alias_similarity, e.content_type, b.byte_size, e.exact_hits, e.semantic_hits,"
        + " e.created_at, e.last_hit_at, e.expires_at"
        + " FROM cache_entry e JOIN image_blob b ON b.sha256 = e.blob_sha256"
        + " WHERE (?::text IS NULL OR e.cache_key = ?)"
        + " AND (?::text IS NULL OR lower(e.prompt) LIKE ? ESCAPE '\\')"
        + " AND (?::text IS NULL OR e.bucket = ?)"
        + " AND (?::timestamptz IS NULL OR e.created_at >= ?)"
        + " AND (?::bigint IS NULL OR e.exact_hits + e.semantic_hits >= ?)"
        + " AND (?::text IS NULL OR e.alias_of = ?)"
        + " ORDER BY e.created_at DESC, e.cache_key LIMIT ? OFFSET ?";
    String like = search.promptContains() == null ? null
        : containsPattern(search.promptContains());
    Timestamp after = search.createdAfter() == null ? null : Timestamp.from(search.createdAfter());
    return select("entries", sql, ps -> {
      int i = 0;
      i = pair(ps, i, search.key());
      i = pair(ps, i, like);
      i = pair(ps, i, search.bucket());
      ps.setTimestamp(++i, after);
      ps.setTimestamp(++i, after);
      ps.setObject(++i, search.minHits(), java.sql.Types.BIGINT);
      ps.setObject(++i, search.minHits(), java.sql.Types.BIGINT);
      i = pair(ps, i, search.aliasOf());
      ps.setInt(++i, limit);
      ps.setInt(++i, offset);
    }, rs -> {
      double similarity = rs.getDouble(7);
      Double aliasSimilarity = rs.wasNull() ? null : similarity;
      return new EntryDetail(rs.getString(1), rs.getString(2), rs.getString(3),
          rs.getString(4), EntrySource.fromSql(rs.getString(5)), rs.getString(6),
          aliasSimilarity, rs.getString(8), rs.getLong(9), rs.getLong(10), rs.getLong(11),
          instant(rs.getTimestamp(12)), instant(rs.getTimestamp(13)),
          instant(rs.getTimestamp(14)));
    });
  }

  private List<ServedMatch> matches(String operation, String sql, MatchFilter filter, int limit,
      int offset) {
    Objects.requireNonNull(filter, "filter");
    return select(operation, sql, ps -> {
      int i = 0;
      i = pair(ps, i, filter.bucket());
      i = pair(ps, i, filter.model());
      ps.setObject(++i, filter.minSimilarity(), java.sql.Types.DOUBLE);
      ps.setObject(++i, filter.minSimilarity(), java.sql.Types.DOUBLE);
      ps.setObject(++i, filter.maxSimilarity(), java.sql.Types.DOUBLE);
      ps.setObject(++i, filter.maxSimilarity(), java.sql.Types.DOUBLE);
      ps.setInt(++i, limit);
      ps.setInt(++i, offset);
    }, PostgresCacheAudit::match);
  }

  /** Sets a statement's parameters. */
  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** Reads one row. */
  @FunctionalInterface
  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** One read-only query on the store pool and budget; a failure is the store unavailable. */
  private <T> List<T> select(String operation, String sql, Binder binder, Row<T> row) {
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row.read(rs));
        }
      }
      c.commit();
      return out;
    } catch (SQLException | RuntimeException e) {
      throw unavailable(operation, e);
    }
  }

  /**
   * The LIKE pattern (escape character {@code \\}) matching a lower-cased text that contains
   * {@code text} ignoring case: {@code %} and {@code _} in it are plain characters.
   */
  static String containsPattern(String text) {
    return "%" + text.toLowerCase(Locale.ROOT)
        .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }

  /** Binds {@code value} to the two placeholders of a {@code (? IS NULL OR col = ?)} pair. */
  private static int pair(PreparedStatement ps, int i, String value) throws SQLException {
    ps.setString(i + 1, value);
    ps.setString(i + 2, value);
    return i + 2;
  }

  private static ServedMatch match(ResultSet rs) throws SQLException {
    return new ServedMatch(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
        rs.getDouble(5), rs.getString(6), rs.getString(7), rs.getString(8),
        rs.getTimestamp(9).toInstant(), rs.getLong(10));
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  private static void requirePage(int limit, int offset) {
    requirePositive("limit", limit);
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
  }
}
