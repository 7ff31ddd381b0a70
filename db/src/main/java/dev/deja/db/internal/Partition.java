package dev.deja.db.internal;

import dev.deja.db.PartitionSql;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The rows a semantic match may come from: never across bucket, model or embedding model
 * ({@link PartitionSql}): as a bound clause for the request path ({@link #WHERE}) and with
 * literal values for the DDL of a partial index ({@link #literalWhere}).
 */
record Partition(String bucket, String model, String embeddingModelId) {

  /** Every partial partition index is named this prefix plus 16 hex digits. */
  static final String INDEX_PREFIX = "cache_entry_part_";

  /** The WHERE clause {@link #bind} fills. */
  static final String WHERE = PartitionSql.where("?", "?", "?");

  Partition {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(embeddingModelId, "embeddingModelId");
  }

  /** Binds {@link #WHERE} from parameter {@code i}; returns the next index. */
  int bind(PreparedStatement ps, int i) throws SQLException {
    ps.setString(i++, bucket);
    ps.setString(i++, model);
    ps.setString(i++, embeddingModelId);
    return i;
  }

  /**
   * {@link #WHERE} with this partition's values as SQL string literals, for DDL (which takes no
   * parameters). With bound values and custom plans the planner proves that a lookup's condition
   * implies this one, so a partial index with this predicate serves the lookup.
   */
  String literalWhere() {
    return PartitionSql.where(literal(bucket), literal(model), literal(embeddingModelId));
  }

  /**
   * A stable name for this partition's partial HNSW index: a prefix and 16 hex digits of the
   * SHA-256 of the three values, so it is a plain lower-case identifier whatever they contain.
   */
  String indexName() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {bucket, model, embeddingModelId}) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0); // no value contains NUL (PostgreSQL text cannot): unambiguous
      }
      return INDEX_PREFIX + HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * A standard-conforming SQL string literal (quotes doubled; backslashes are plain characters,
   * which the index builder makes sure of with {@code standard_conforming_strings = on}).
   */
  static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a partition value cannot contain NUL");
    }
    return "'" + value.replace("'", "''") + "'";
  }
}
