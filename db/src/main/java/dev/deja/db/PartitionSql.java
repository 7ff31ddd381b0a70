package dev.deja.db;

/**
 * The SQL of a partition, written once for the repository, its index manager and the
 * benchmarks: the rows a semantic match may come from are never across bucket, model or
 * embedding model, and only origin rows with a vector are candidates.
 *
 * <p>The migrations (V1, V2) spell the same condition for the indexes they created; they are
 * history Flyway checksums and cannot follow this class, so {@code MigrationTest} holds them to
 * it instead.
 */
public final class PartitionSql {

  /**
   * Rows that can be neighbour candidates at all: the predicate of the global HNSW index and of
   * the partition B-tree (V1, V2). Every partition's condition ends with it.
   */
  public static final String CANDIDATE = "source = 'origin' AND embedding IS NOT NULL";

  /** The HNSW parameters of every vector index: the global one (V2) and each partition's. */
  public static final String HNSW_WITH = "WITH (m = 16, ef_construction = 64)";

  /** The global HNSW index of V2 (a benchmark rebuilds it after a bulk load). */
  public static final String GLOBAL_HNSW_INDEX = "CREATE INDEX cache_entry_embedding_hnsw"
      + " ON cache_entry USING hnsw (embedding vector_cosine_ops) " + HNSW_WITH
      + " WHERE " + CANDIDATE;

  private PartitionSql() {}

  /**
   * One partition's condition over {@code cache_entry}, from three SQL expressions: {@code "?"}
   * each for a statement that binds bucket, model and embedding model in that order, or
   * literals for DDL.
   */
  public static String where(String bucket, String model, String embeddingModelId) {
    return "bucket = " + bucket + " AND model = " + model + " AND embedding_model_id = "
        + embeddingModelId + " AND " + CANDIDATE;
  }
}
