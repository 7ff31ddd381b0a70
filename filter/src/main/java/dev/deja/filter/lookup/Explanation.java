package dev.deja.filter.lookup;

import java.util.List;

/**
 * What the cache would do for a request, for {@code explain}: the decision of the real lookup, and
 * the nearest neighbours in the partition with the matcher's verdict on each.
 *
 * @param decision the lookup's result, exactly as a request would get it
 * @param neighbours nearest entries of the partition, most similar first
 */
public record Explanation(LookupResult decision, List<Neighbour> neighbours) {

  /**
   * One neighbour and the matcher's verdict on it.
   *
   * @param key the entry's exact key
   * @param prompt the prompt its image was made for
   * @param similarity cosine similarity to the request's prompt
   * @param accepted whether threshold and guard accept it
   * @param reason the matcher's reason
   */
  public record Neighbour(
      String key, String prompt, double similarity, boolean accepted, String reason) {}
}
