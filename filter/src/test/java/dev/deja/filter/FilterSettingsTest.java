package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.DatabaseConfig;
import dev.deja.filter.settings.InvalidSettingException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every key family of the filter goes through the registry: db.*, embedding.* and cache keys. */
class FilterSettingsTest {

  private static DatabaseConfig database(Map<String, String> settings) {
    DatabaseConfig.Builder b = DatabaseConfig.builder().url("jdbc:postgresql://h/d").user("u");
    FilterSettings.DATABASE.applyAll(b, settings);
    return b.embeddingDimension(384).build();
  }

  @Test
  void everyDatabaseConfigTimeoutCanBeSet() {
    DatabaseConfig c = database(Map.of(
        "db.lookup-timeout", "80ms", "db.connection-timeout", "2s", "db.store-timeout", "PT5S",
        "db.pool-size", "4"));
    assertEquals(Duration.ofMillis(80), c.lookupTimeout());
    assertEquals(Duration.ofSeconds(2), c.connectionTimeout());
    assertEquals(Duration.ofSeconds(5), c.storeTimeout());
    assertEquals(4, c.maxPoolSize());
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "db.pool-size, lots, must be an integer",
    "db.pool-size, 0, maxPoolSize must be >= 1",
    "db.connection-timeout, 100ms, >= 250ms",
    "db.store-timeout, 5, must be a duration",
    "db.schema, Bad-Name, schema must match",
    "db.url, postgres://x, must start with jdbc:postgresql:"
  })
  void databaseErrorsNameTheKeyAndTheValue(String key, String value, String rule) {
    InvalidSettingException e =
        assertThrows(InvalidSettingException.class, () -> FilterSettings.of(Map.of(key, value)));
    assertTrue(e.getMessage().startsWith("invalid Deja setting " + key + "='" + value + "': "),
        e.getMessage());
    assertTrue(e.getMessage().contains(rule), e.getMessage());
  }

  @Test
  void embeddingErrorsNameThePrefixedKey() {
    InvalidSettingException e = assertThrows(InvalidSettingException.class,
        () -> FilterSettings.of(Map.of("embedding.cache-size", "lots")));
    assertEquals("invalid Deja setting embedding.cache-size='lots': must be an integer",
        e.getMessage());
  }

  @Test
  void keysAreAcceptedInBothStyles() {
    FilterSettings s = FilterSettings.of(Map.of(
        "hot-cache-bytes", "1MB", "max-body-bytes", "2MB", "semantic", "false",
        "db.poolSize", "3", "embedding.maxTokens", "64"));
    assertEquals(1L << 20, s.config().hotCacheBytes());
    assertEquals(2 << 20, s.config().maxBodyBytes());
  }

  @Test
  void sizesAndDurationsReadTheSameInEveryFamily() {
    DejaConfig c = DejaConfig.fromSettings(Map.of(
        "memoryBudgetBytes", "512MB", "staleIfError", "0", "breakerOpen", "PT10S",
        "singleFlightTimeout", "2m"));
    assertEquals(512L << 20, c.memoryBudgetBytes());
    assertEquals(Duration.ZERO, c.staleIfError());
    assertEquals(Duration.ofSeconds(10), c.breakerOpen());
    assertEquals(Duration.ofMinutes(2), c.singleFlightTimeout());
  }
}
