package dev.deja.db;

/**
 * Which served semantic hits an audit lists: those matching every non-null field.
 *
 * @param bucket the partition
 * @param model the request's model
 * @param minSimilarity similarity at least this
 * @param maxSimilarity similarity at most this
 */
public record MatchFilter(String bucket, String model, Double minSimilarity,
    Double maxSimilarity) {

  /** Every served semantic hit. */
  public static MatchFilter all() {
    return new MatchFilter(null, null, null, null);
  }
}
