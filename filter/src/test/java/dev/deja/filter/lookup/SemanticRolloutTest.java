package dev.deja.filter.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.filter.request.CacheKey;
import org.junit.jupiter.api.Test;

class SemanticRolloutTest {

  private static CacheKey key(int i) {
    return new CacheKey(CacheKey.sha256Hex("request " + i));
  }

  @Test
  void shadowServesNothing_andAFullRolloutServesEverything() {
    for (int i = 0; i < 100; i++) {
      assertFalse(new SemanticRollout(true, 100).serves(key(i)));
      assertTrue(new SemanticRollout(false, 100).serves(key(i)));
      assertFalse(new SemanticRollout(false, 0).serves(key(i)));
    }
  }

  @Test
  void aPercentageIsAStableSliceOfRequests() {
    SemanticRollout quarter = new SemanticRollout(false, 25);
    int served = 0;
    for (int i = 0; i < 10_000; i++) {
      boolean first = quarter.serves(key(i));
      assertEquals(first, quarter.serves(key(i)), "the same request, the same treatment");
      served += first ? 1 : 0;
    }
    assertTrue(served > 2_300 && served < 2_700, served + " of 10000 served at 25 %");
  }
}
