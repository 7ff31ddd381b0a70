package dev.deja.filter.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TimingsTest {

  @Test
  void serverTimingListsOnlyTheStepsThatRanInMillisecondsWithTwoDecimals() {
    assertEquals("lookup;dur=0.21", new Timings(205_000, 0, 0).serverTiming());
    assertEquals(
        "lookup;dur=12.05, embed;dur=3.00, search;dur=1500.10",
        new Timings(12_049_999, 3_000_000, 1_500_100_000).serverTiming());
  }
}
