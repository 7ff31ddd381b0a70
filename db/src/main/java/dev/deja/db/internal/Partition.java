package dev.deja.db.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;

/** The rows a semantic match may come from: never across bucket, model or embedding model. */
record Partition(String bucket, String model, String embeddingModelId) {

  /** The WHERE clause {@link #bind} fills. */
  static final String WHERE =
      "bucket = ? AND model = ? AND embedding_model_id = ? AND source = 'origin'"
          + " AND embedding IS NOT NULL";

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
}
