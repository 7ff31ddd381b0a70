package dev.deja.filter.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingTableTest {

  /** A builder that records what it was given, in order. */
  static final class Recorder {
    final List<String> calls = new ArrayList<>();
  }

  private static final SettingTable<Recorder> TABLE =
      new SettingTable<>(
          "test setting",
          Setting.of("poolSize", SettingTypes.INTEGER, 10, "pool", (r, n) -> {
            if (n < 1) {
              throw new IllegalArgumentException("maxPoolSize must be >= 1 but was " + n);
            }
            r.calls.add("poolSize=" + n);
          }),
          Setting.of("db.store-timeout", SettingTypes.DURATION, null, "timeout",
              (r, d) -> r.calls.add("db.store-timeout=" + d)));

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "poolSize, poolSize", "pool-size, poolSize",
    "db.store-timeout, db.store-timeout", "db.storeTimeout, db.store-timeout"
  })
  void everyKeyIsFoundInBothSpellings(String spelled, String canonical) {
    assertEquals(canonical, TABLE.find(spelled).orElseThrow().key());
  }

  @Test
  void settingsApplyInDeclarationOrderWhateverTheInputOrder() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("db.store-timeout", "2s");
    values.put("poolSize", "3");
    Recorder r = new Recorder();
    TABLE.applyAll(r, values);
    assertEquals(List.of("poolSize=3", "db.store-timeout=PT2S"), r.calls);
  }

  @Test
  void aBuildersRefusalIsReportedWithTheKeyAsSpelled() {
    InvalidSettingException e = assertThrows(
        InvalidSettingException.class, () -> TABLE.apply(new Recorder(), "pool-size", "0"));
    assertEquals(
        "invalid Deja setting pool-size='0': maxPoolSize must be >= 1 but was 0", e.getMessage());
  }

  @Test
  void aKeyGivenInBothSpellingsIsRefused() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("poolSize", "3");
    values.put("pool-size", "4");
    InvalidSettingException e = assertThrows(
        InvalidSettingException.class, () -> TABLE.applyAll(new Recorder(), values));
    assertTrue(e.getMessage().contains("also given as poolSize"), e.getMessage());
  }

  @Test
  void unknownKeysAreNamedWithTheKnownOnes() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> TABLE.apply(new Recorder(), "poolsize", "1"));
    assertEquals("unknown test setting 'poolsize'; known settings: [poolSize, db.store-timeout]",
        e.getMessage());
  }

  @Test
  void aPrefixedTableKeepsBothSpellings() {
    SettingTable<Recorder> prefixed = TABLE.prefixed("x.");
    assertEquals(List.of("x.poolSize", "x.db.store-timeout"), prefixed.keys());
    assertTrue(prefixed.knows("x.pool-size"));
  }
}
