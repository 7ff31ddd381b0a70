package dev.deja.db.bench;

import static dev.deja.db.testing.TestVectors.unitVector;

import dev.deja.db.CacheStore;
import dev.deja.db.DejaDatabase;
import dev.deja.db.NewEntry;
import dev.deja.db.StoredRequest;
import dev.deja.db.testing.TestDatabase;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Latency of one lookup against a small partition, single caller: findExact, hasCandidates and
 * findNearest (exact path). The "One round trip" numbers in docs/DATABASE.md come from here. Not a
 * test: run by hand (command in docs/DATABASE.md).
 *
 * <p>Args: calls per operation (default 3000), rows in the partition (default 4).
 */
public final class LookupLatencyBench {

  static final int DIM = 384;
  static final String MODEL = "m";
  static final String EMBEDDER = "e";

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    TestDatabase.Schema schema = TestDatabase.isolatedSchema(LookupLatencyBench.class);
    try (DejaDatabase db = DejaDatabase.open(schema.config(DIM))) {
      CacheStore repo = db.repository();
      Random r = new Random(14);
      float[][] vectors = new float[rows][];
      for (int i = 0; i < rows; i++) {
        vectors[i] = unitVector(r, DIM);
        repo.store(entry(key(i), vectors[i]), new byte[] {(byte) i}, false);
      }
      for (int round = 0; round < 2; round++) { // the first round is the warm-up
        boolean report = round == 1;
        measure("findExact", calls, report, i -> repo.findExact(key(i % rows)));
        measure("hasCandidates", calls, report, i -> repo.hasCandidates("b", MODEL, EMBEDDER));
        measure("findNearest k=3", calls, report,
            i -> repo.findNearest("b", MODEL, EMBEDDER, vectors[i % rows], 3));
      }
    } finally {
      schema.drop();
    }
  }

  private static void measure(String name, int calls, boolean report, IntConsumer lookup) {
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long t0 = System.nanoTime();
      lookup.accept(i);
      nanos[i] = System.nanoTime() - t0;
    }
    if (report) {
      Arrays.sort(nanos);
      System.out.printf("%-16s %d calls: p50 %.3f ms, p99 %.3f ms%n", name, calls,
          nanos[calls / 2] / 1e6, nanos[(int) (calls * 0.99)] / 1e6);
    }
  }

  private static String key(int i) {
    return String.format("%064x", i + 1);
  }

  private static NewEntry entry(String key, float[] embedding) {
    return new NewEntry(key, new StoredRequest("p " + key, "p " + key, MODEL, 1024, 576, null,
        "standard", null, null, Map.of(), "b"), embedding, EMBEDDER, 200, "image/png",
        Map.of("X-Origin", List.of("bench")), null);
  }
}
