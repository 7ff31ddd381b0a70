package dev.deja.filter.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one grammar of each value type, as a table of accepted and refused texts. */
class SettingTypesTest {

  @ParameterizedTest(name = "{0} is {1} ms")
  @CsvSource({
    "500ms, 500", "30s, 30000", "10m, 600000", "24h, 86400000", "7d, 604800000",
    "PT30S, 30000", "pt30s, 30000", "P7D, 604800000", "0, 0", "30S, 30000", "1 h, 3600000"
  })
  void durationsHaveAUnitOrAreIsoOrZero(String text, long millis) {
    assertEquals(Duration.ofMillis(millis), SettingTypes.duration("k", text));
  }

  @ParameterizedTest(name = "''{0}'' is refused")
  @ValueSource(strings = {"30", "1.5s", "-5s", "-PT5S", "soon", "", "5 minutes", "s",
      "99999999999999999999d"})
  void durationsWithoutAUnitOrSignedAreRefusedNamingKeyValueAndForm(String text) {
    InvalidSettingException e =
        assertThrows(InvalidSettingException.class, () -> SettingTypes.duration("breakerOpen", text));
    assertEquals(
        "invalid Deja setting breakerOpen='" + text + "': must be " + SettingTypes.DURATION_FORM,
        e.getMessage());
  }

  @ParameterizedTest(name = "{0} is {1} bytes")
  @CsvSource({
    "1073741824, 1073741824", "0, 0", "512B, 512", "100k, 102400", "512KB, 524288",
    "512KiB, 524288", "512MB, 536870912", "512mib, 536870912", "10GB, 10737418240",
    "2GiB, 2147483648", "1TB, 1099511627776", "16 MB, 16777216"
  })
  void sizesAreBytesOrBinaryUnits(String text, long bytes) {
    assertEquals(bytes, SettingTypes.size("k", text));
  }

  @ParameterizedTest(name = "''{0}'' is refused")
  @ValueSource(strings = {"-1", "1.5GB", "10 gigabytes", "GB", "", "10PB", "9999999999TB"})
  void malformedSizesAreRefusedNamingKeyValueAndForm(String text) {
    InvalidSettingException e =
        assertThrows(InvalidSettingException.class, () -> SettingTypes.size("hotCacheBytes", text));
    assertEquals(
        "invalid Deja setting hotCacheBytes='" + text + "': must be " + SettingTypes.SIZE_FORM,
        e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"2047MB, 2146435072", "2147483647, 2147483647"})
  void intSizesFitAnInt(String text, int bytes) {
    assertEquals(bytes, SettingTypes.intSize("maxBodyBytes", text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2GB", "2147483648"})
  void intSizesBeyondAnIntAreRefused(String text) {
    assertThrows(InvalidSettingException.class, () -> SettingTypes.intSize("maxBodyBytes", text));
  }

  @ParameterizedTest
  @CsvSource({"true, true", "TRUE, true", "False, false"})
  void booleansAreTrueOrFalseInAnyCase(String text, boolean value) {
    assertEquals(value, SettingTypes.bool("k", text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "no", "1", "0", "on", "", "ture"})
  void anythingElseIsNotABoolean(String text) {
    InvalidSettingException e =
        assertThrows(InvalidSettingException.class, () -> SettingTypes.bool("warm-up", text));
    assertEquals("invalid Deja setting warm-up='" + text + "': must be true or false",
        e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ten", "1.5", "", "99999999999"})
  void integersAreWholeNumbersThatFit(String text) {
    assertThrows(InvalidSettingException.class, () -> SettingTypes.integer("k", text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "65536"})
  void boundedIntegersNameTheirRange(String text) {
    InvalidSettingException e = assertThrows(
        InvalidSettingException.class, () -> SettingTypes.integer("port", text, 0, 65535));
    assertEquals("invalid Deja setting port='" + text + "': must be an integer in [0, 65535]",
        e.getMessage());
  }
}
