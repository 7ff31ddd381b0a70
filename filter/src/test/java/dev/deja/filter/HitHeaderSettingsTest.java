package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The settings that shape what a hit sends downstream. */
class HitHeaderSettingsTest {

  @Test
  void byDefaultOnlyBuiltInHeadersAreStored() {
    DejaConfig d = DejaConfig.defaults();
    assertTrue(d.storedHeaders().allows("Cache-Control"));
    assertTrue(d.storedHeaders().allows("content-disposition"));
    assertFalse(d.storedHeaders().allows("X-Request-Id"));
    assertFalse(d.storedHeaders().allows("ETag"));
  }

  @Test
  void anOperatorAddsHeaderNames() {
    DejaConfig c = DejaConfig.fromSettings(Map.of("storedHeaders", "X-Model-Version, Link"));
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
  void malformedNamesAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> DejaConfig.fromSettings(Map.of("storedHeaders", "X Model")));
  }
}
