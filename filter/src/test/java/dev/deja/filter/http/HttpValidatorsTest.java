package dev.deja.filter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpValidatorsTest {

  private static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  @ParameterizedTest
  @ValueSource(strings = {"1994-11-06T08:49:37Z", "1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z",
      "2026-11-30T17:05:09.999Z", "9999-12-31T23:59:59Z", "1000-01-01T00:00:00Z"})
  void httpDate_isImfFixdate_wholeSeconds(String instant) {
    Instant t = Instant.parse(instant);
    assertEquals(REFERENCE.format(t), HttpValidators.httpDate(t));
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L})
  void httpDate_matchesTheFormatter_overRandomInstants(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 10_000; i++) {
      Instant t = Instant.ofEpochSecond(random.nextLong(-30_000_000_000L, 250_000_000_000L),
          random.nextInt(1_000_000_000));
      assertEquals(REFERENCE.format(t), HttpValidators.httpDate(t), t.toString());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"0999-12-31T23:59:59Z", "-0001-06-01T00:00:00Z"})
  void httpDate_outsideFourDigitYears_isTheFormattersRendering(String instant) {
    Instant t = Instant.parse(instant);
    assertEquals(REFERENCE.format(t), HttpValidators.httpDate(t));
  }
}
