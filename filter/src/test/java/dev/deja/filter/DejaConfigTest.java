package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DejaConfigTest {

  @Test
  void settingsFromStringsFeedTheSameBuilder() {
    DejaConfig c =
        DejaConfig.fromSettings(
            Map.of("threshold", "0.95", "defaultTtl", "7d", "unseeded", "exact-only"));
    assertEquals(0.95, c.threshold());
    assertEquals(Duration.ofDays(7), c.defaultTtl());
    assertEquals(dev.deja.filter.lookup.CacheLookup.UnseededPolicy.EXACT_ONLY, c.unseeded());
  }

  @Test
  void unknownKeysAreRejectedByName() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> DejaConfig.fromSettings(Map.of("treshold", "1")));
    assertTrue(e.getMessage().contains("'treshold'"), e.getMessage());
  }

  @Test
  void badValuesNameTheKeyTheValueAndTheRule() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DejaConfig.fromSettings(Map.of("threshold", "1.5")));
    assertEquals("invalid Deja setting threshold='1.5': must be in (0, 1]", e.getMessage());
    var d =
        assertThrows(
            IllegalArgumentException.class,
            () -> DejaConfig.fromSettings(Map.of("breakerOpen", "soon")));
    assertTrue(d.getMessage().startsWith("invalid Deja setting breakerOpen='soon'"));
  }

  @Test
  void modelAndSizeCanNeverBeIgnored() {
    assertThrows(
        IllegalArgumentException.class,
        () -> DejaConfig.fromSettings(Map.of("ignoredParams", "token,model")));
  }

  @Test
  void filterSettingsRejectUnknownDatabaseKeys() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FilterSettings.of(Map.of("db.host", "localhost")));
    assertTrue(e.getMessage().contains("db.host"), e.getMessage());
  }
}
