package dev.deja.filter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.EntrySource;
import dev.deja.db.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OriginPolicyTest {

  private final OriginPolicy policy = new OriginPolicy(Duration.ofHours(1));
  private final Instant now = Instant.parse("2026-11-26T00:00:00Z");

  @ParameterizedTest(name = "{0} {1} [{2}] -> {3}")
  @CsvSource(
      delimiter = ';',
      value = {
        "200; image/png; public, max-age=600; ",
        "200; image/webp; ; ",
        "500; image/png; ; status-500",
        "200; text/html; ; not-an-image",
        "200; image/png; private, max-age=60; origin-cache-control",
        "200; image/png; no-store; origin-cache-control",
        "200; image/png; no-cache; origin-cache-control",
        "200; image/png; max-age=0; origin-max-age-0",
        "200; image/svg+xml; ; active-content",
        "200; IMAGE/SVG+XML; ; active-content",
        "200; image/vnd.example+xml; ; active-content",
      })
  void storesOnlyCompleteSharedImages(int status, String type, String cc, String refusal) {
    assertEquals(refusal, policy.refusal(status, type, cc, false));
  }

  @ParameterizedTest(name = "expired {0}s ago, origin {1}, stored [{2}] -> {3}")
  @CsvSource(
      delimiter = ';',
      value = {
        "60; 503; max-age=60; true",
        "60; 500; max-age=60; true",
        "60; 502; max-age=60; true",
        "60; 504; max-age=60; true",
        "60; 404; max-age=60; false",
        "60; 429; max-age=60; false",
        "60; 200; max-age=60; false",
        "86399; 503; max-age=60; true",
        "86401; 503; max-age=60; false",
        "60; 503; max-age=60, stale-if-error=120; true",
        "60; 503; max-age=60, stale-if-error=30; false",
        "60; 503; max-age=60, stale-if-error=999999; true",
      })
  void anExpiredEntryStandsInOnlyForAFailedOriginAndOnlyWithinTheWindow(
      long expiredSecondsAgo, int originStatus, String cacheControl, boolean standsIn) {
    OriginPolicy oneDay = new OriginPolicy(null, Duration.ofDays(1));
    StoredResponse stale =
        new StoredResponse(
            "k", 200, "image/png", java.util.Map.of("Cache-Control", java.util.List.of(cacheControl)),
            new byte[] {1}, now.minusSeconds(expiredSecondsAgo + 60),
            now.minusSeconds(expiredSecondsAgo), EntrySource.ORIGIN, "p", null, null, null, null);
    assertEquals(standsIn, oneDay.staleStandsIn(stale, originStatus, now));
  }

  @Test
  void withStaleIfErrorOffNothingStandsIn() {
    OriginPolicy off = new OriginPolicy(null, Duration.ZERO);
    StoredResponse stale =
        new StoredResponse(
            "k", 200, "image/png", java.util.Map.of(), new byte[] {1}, now.minusSeconds(120),
            now.minusSeconds(1), EntrySource.ORIGIN, "p", null, null, null, null);
    assertFalse(off.staleStandsIn(stale, 503, now));
    assertFalse(off.staleStandsIn(null, 503, now));
  }

  @Test
  void anSvgIsNeverStoredBecauseItCouldScriptTheGatewaysOrigin() {
    assertEquals(
        "active-content",
        policy.refusal(200, "image/svg+xml", "public, max-age=31536000, immutable", false));
    assertTrue(OriginPolicy.isActiveContent("image/svg+xml; charset=utf-8"));
    assertFalse(OriginPolicy.isActiveContent("image/png"));
    assertFalse(OriginPolicy.isActiveContent("application/xml"));
  }

  @Test
  void aResponseSettingACookieIsPerUserAndNotStored() {
    assertEquals("set-cookie", policy.refusal(200, "image/png", null, true));
  }

  @Test
  void anEncodedBodyOrOneChosenPerClientIsNotStored() {
    assertEquals("content-encoding", policy.refusal(200, "image/png", null, false, "gzip", null));
    assertNull(policy.refusal(200, "image/png", null, false, "identity", "Accept-Encoding, Origin"));
    assertEquals("vary", policy.refusal(200, "image/webp", null, false, null, "Accept"));
    assertEquals("vary", policy.refusal(200, "image/webp", null, false, null, "*"));
  }

  @ParameterizedTest(name = "Authorization + [{0}] -> {1}")
  @CsvSource(
      delimiter = ';',
      value = {
        "max-age=600; authorization",
        "; authorization",
        "public, max-age=600; ",
        "s-maxage=600; ",
        "max-age=600, must-revalidate; ",
      })
  void anAnswerToACredentialedRequestIsSharedOnlyWhenTheOriginSaysSo(String cc, String refusal) {
    assertEquals(refusal, policy.refusal(200, "image/png", cc, false, null, null, true));
    assertNull(policy.refusal(200, "image/png", cc, false, null, null, false));
  }

  @Test
  void aHugeMaxAgeIsClampedNotRefused() {
    assertEquals(
        now.plusSeconds(OriginPolicy.MAX_LIFETIME_SECONDS),
        policy.expiresAt("max-age=99999999999999", now));
  }

  @Test
  void sharedMaxAgeWinsOverMaxAgeThenTheDefault() {
    assertEquals(now.plusSeconds(60), policy.expiresAt("max-age=600, s-maxage=60", now));
    assertEquals(now.plusSeconds(600), policy.expiresAt("public, max-age=600", now));
    assertEquals(now.plus(Duration.ofHours(1)), policy.expiresAt("public", now));
    assertNull(new OriginPolicy(null).expiresAt(null, now));
  }
}
