package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The two settings that shape what a hit sends downstream: its lifetime and replayed headers. */
class HitHeaderSettingsTest {

  @Test
  void byDefaultSubstitutesGetFiveMinutesAndOnlyBuiltInHeadersAreStored() {
    DejaConfig d = DejaConfig.defaults();
    assertEquals("public, max-age=300", d.semanticCacheControl());
    assertTrue(d.storedHeaders().allows("Cache-Control"));
    assertTrue(d.storedHeaders().allows("content-disposition"));
    assertFalse(d.storedHeaders().allows("X-Request-Id"));
    assertFalse(d.storedHeaders().allows("ETag"));
  }

  @Test
  void anOperatorSetsTheSubstitutesLifetimeAndAddsHeaderNames() {
    DejaConfig c =
        DejaConfig.fromSettings(
            Map.of(
                "semanticCacheControl", " no-store ",
                "storedHeaders", "X-Model-Version, Link"));
    assertEquals("no-store", c.semanticCacheControl());
    assertTrue(c.storedHeaders().allows("x-model-version"));
    assertTrue(c.storedHeaders().allows("LINK"));
    assertFalse(c.storedHeaders().allows("X-Request-Id"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"Authorization", "Set-Cookie", "Access-Control-Allow-Origin", "ETag",
        "Content-Length", "X-Cache", "Vary"})
  void headersOfOneExchangeOrClientOrDejasOwnCanNeverBeStored(String name) {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DejaConfig.fromSettings(Map.of("storedHeaders", "X-Model-Version," + name)));
    assertTrue(
        e.getMessage().startsWith("invalid Deja setting storedHeaders='" + name + "'"),
        e.getMessage());
  }

  @Test
  void malformedValuesAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> DejaConfig.fromSettings(Map.of("storedHeaders", "X Model")));
    assertThrows(
        IllegalArgumentException.class,
        () -> DejaConfig.fromSettings(Map.of("semanticCacheControl", "")));
    assertThrows(
        IllegalArgumentException.class,
        () -> DejaConfig.builder().semanticCacheControl("max-age=300\r\nX-Injected: 1"));
  }
}
