package dev.deja.bench.precision;

/**
 * One evaluation pair: {@code request} is looked up, {@code cached} is the nearest cached prompt.
 *
 * @param set the evaluation set it belongs to, e.g. {@code paws}, {@code swaps}
 * @param kind finer grouping inside the set, e.g. {@code attribute-swap}, {@code same-image}
 * @param positive true when serving the cached image for the request is right
 * @param split for PAWS the deterministic half the pair belongs to ({@code paws-tune} or
 *     {@code paws-holdout}), else null
 */
record LabelledPair(String set, String kind, String request, String cached, boolean positive,
    String split) {

  LabelledPair(String set, String kind, String request, String cached, boolean positive) {
    this(set, kind, request, cached, positive, null);
  }
}
