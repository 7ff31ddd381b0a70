package dev.deja.bench.precision;

import dev.deja.filter.match.GuardStrictness;
import dev.deja.filter.match.GuardedMatcher;
import dev.deja.filter.match.MatchPreset;
import dev.deja.filter.match.MatchVerdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Re-runs the matcher on a pair dump written by {@code PrecisionHarness --dump FILE}, without the
 * embedder: a development aid for trying guard changes in seconds. Prints counts per set and,
 * with {@code --show SET}, the accepted negatives and refused positives of that set (for PAWS, use
 * only {@code paws-tune}: the held-out half is for reporting, not for reading).
 *
 * <pre>
 * java -cp filter/target/classes:bench/target/classes:CAFFEINE_JAR dev.deja.bench.precision.GuardReplay \
 *     /tmp/pairs.tsv [--threshold 0.85] [--strictness STRICT] [--show paws-tune]
 * </pre>
 */
public final class GuardReplay {

  private GuardReplay() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    double threshold = MatchPreset.BALANCED.threshold();
    GuardStrictness strictness = GuardStrictness.STRICT;
    String show = null;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--threshold" -> threshold = Double.parseDouble(args[++i]);
        case "--strictness" -> strictness = GuardStrictness.valueOf(args[++i]);
        case "--show" -> show = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    GuardedMatcher m = GuardedMatcher.custom(threshold, strictness);
    Map<String, Counts> bySet = new TreeMap<>();
    Map<String, long[]> reasons = new TreeMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      String set = f[0];
      boolean positive = f[2].equals("1");
      double sim = Double.parseDouble(f[3]);
      MatchVerdict v = m.decide(f[4], f[5], sim, threshold);
      bySet.computeIfAbsent(set, k -> new Counts()).add(positive, v.accepted());
      if (set.startsWith("paws")) {
        bySet.computeIfAbsent("paws", k -> new Counts()).add(positive, v.accepted());
      }
      if (set.equals("paws-tune")) {
        reasons.computeIfAbsent(v.reason(), k -> new long[2])[positive ? 1 : 0]++;
      }
      if (set.equals(show) && positive != v.accepted()) {
        System.out.printf(Locale.ROOT, "%s %s %.3f %s%n  A: %s%n  B: %s%n",
            positive ? "FN" : "FP", v.reason(), sim, f[1], f[4], f[5]);
      }
    }
    for (var e : bySet.entrySet()) {
      Counts c = e.getValue();
      System.out.printf(Locale.ROOT, "%-20s TP %5d FP %5d TN %5d FN %5d recall %s FPR %s%n",
          e.getKey(), c.tp, c.fp, c.tn, c.fn, pct(c.recall()),
          pct(c.fpr()));
    }
    reasons.forEach((r, n) -> System.out.printf("  paws-tune reason %-20s neg %5d pos %5d%n", r,
        n[0], n[1]));
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }
}
