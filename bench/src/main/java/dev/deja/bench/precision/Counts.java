package dev.deja.bench.precision;

/** Confusion counts of one decision function on one set. */
final class Counts {
  long tp;
  long fp;
  long tn;
  long fn;

  void add(boolean positive, boolean accepted) {
    if (positive) {
      if (accepted) {
        tp++;
      } else {
        fn++;
      }
    } else if (accepted) {
      fp++;
    } else {
      tn++;
    }
  }

  long positives() {
    return tp + fn;
  }

  long negatives() {
    return fp + tn;
  }

  /** NaN when nothing was accepted. */
  double precision() {
    return tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp);
  }

  /** NaN without positives. */
  double recall() {
    return positives() == 0 ? Double.NaN : (double) tp / positives();
  }

  /** NaN without negatives. */
  double fpr() {
    return negatives() == 0 ? Double.NaN : (double) fp / negatives();
  }

  boolean sameAs(Counts o) {
    return tp == o.tp && fp == o.fp && tn == o.tn && fn == o.fn;
  }
}
