package dev.deja.bench.precision;

/**
 * One evaluation pair: {@code request} is looked up, {@code cached} is the nearest cached prompt.
 *
 * @param set the evaluation set it belongs to, e.g. {@code paws}, {@code swaps}
 * @param kind finer grouping inside the set, e.g. {@code attribute-swap}, {@code same-image}
 * @param positive true when serving the cached image for the request is right
 */
record LabelledPair(String set, String kind, String request, String cached, boolean positive) {}
