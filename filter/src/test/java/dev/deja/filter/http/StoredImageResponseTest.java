package dev.deja.filter.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.EntrySource;
import dev.deja.db.StoredResponse;
import dev.deja.filter.http.StoredImageResponse.Answer;
import dev.deja.filter.http.StoredImageResponse.Conditions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How a stored image answers: given a 10-byte image created at {@link #CREATED}, when a client
 * sends these conditions, then this status, these headers and these bytes.
 */
class StoredImageResponseTest {

  private static final byte[] BODY = "0123456789".getBytes(StandardCharsets.US_ASCII);
  private static final Instant CREATED = Instant.parse("2026-03-01T12:00:00.750Z");
  private static final String CREATED_DATE = "Sun, 01 Mar 2026 12:00:00 GMT";
  private static final Instant NOW = CREATED.plusSeconds(90);
  private static final String ETAG = '"' + sha256(BODY) + '"';

  private final StoredImageResponse responses =
      new StoredImageResponse(StoredHeaders.DEFAULT, "public, max-age=300");

  private static StoredResponse image(Map<String, List<String>> headers) {
    return new StoredResponse(
        "k", 200, "image/png", headers, BODY, CREATED, null, EntrySource.ORIGIN, "a prompt", null, null, null, null);
  }

  private static final StoredResponse IMAGE =
      image(Map.of("Cache-Control", List.of("public, max-age=31536000, immutable")));

  private Answer get(String ifNoneMatch, String ifModifiedSince, String range, String ifRange) {
    return responses.answer(
        new Conditions("GET", ifNoneMatch, ifModifiedSince, range, ifRange), IMAGE, false, NOW);
  }

  /**
   * RFC 9110 13.1.1 and 13.1.4 on a stored image: If-Match by strong comparison, then (only
   * without it) If-Unmodified-Since against the entry's creation; a failure is 412 and sends no
   * body; a pass is the plain answer.
   */
  @ParameterizedTest(name = "If-Match {0}, If-Unmodified-Since {1} -> {2}")
  @org.junit.jupiter.params.provider.MethodSource("preconditions")
  void preconditionsRefuseAnotherImageWith412(String ifMatch, String ifUnmodifiedSince,
      int status) {
    Answer a = responses.answer(new Conditions("GET", null, null, null, null, ifMatch,
        ifUnmodifiedSince), IMAGE, false, NOW);
    assertEquals(status, a.status());
    assertEquals(status == 200, a.sendBody());
  }

  static List<org.junit.jupiter.params.provider.Arguments> preconditions() {
    String before = HttpValidators.httpDate(CREATED.minusSeconds(60));
    String after = HttpValidators.httpDate(CREATED.plusSeconds(60));
    return List.of(
        org.junit.jupiter.params.provider.Arguments.of(ETAG, null, 200),
        org.junit.jupiter.params.provider.Arguments.of("\"other\", " + ETAG, null, 200),
        org.junit.jupiter.params.provider.Arguments.of("*", null, 200),
        org.junit.jupiter.params.provider.Arguments.of("\"nope\"", null, 412),
        org.junit.jupiter.params.provider.Arguments.of("W/" + ETAG, null, 412),
        org.junit.jupiter.params.provider.Arguments.of(null, before, 412),
        org.junit.jupiter.params.provider.Arguments.of(null, after, 200),
        org.junit.jupiter.params.provider.Arguments.of(null, "not a date", 200),
        // If-Match decides when present: its pass is not undone by an old date
        org.junit.jupiter.params.provider.Arguments.of(ETAG, before, 200));
  }

  private static byte[] sent(Answer a) {
    return a.sendBody() ? Arrays.copyOfRange(BODY, a.from(), a.from() + a.length()) : null;
  }

  @Test
  void aPlainGetHasStrongValidatorsTheLengthAndTheOriginsLifetime() {
    Answer a = get(null, null, null, null);
    assertEquals(200, a.status());
    assertEquals(ETAG, a.header("ETag"));
    assertEquals(CREATED_DATE, a.header("Last-Modified"));
    assertEquals("bytes", a.header("Accept-Ranges"));
    assertEquals("10", a.header("Content-Length"));
    assertEquals("image/png", a.header("Content-Type"));
    assertEquals("90", a.header("Age"));
    assertEquals("public, max-age=31536000, immutable", a.header("Cache-Control"));
    assertArrayEquals(BODY, sent(a));
  }

  @Test
  void theEtagIsTheSha256ThatTheStoreKeysTheBlobBy() {
    StoredResponse fromStore =
        new StoredResponse(
            "k", 200, "image/png", Map.of(), BODY, CREATED, null, EntrySource.ORIGIN, "p", null, null, null, "ab12");
    assertEquals("\"ab12\"", responses.answer(Conditions.plain("GET"), fromStore, false, NOW)
        .header("ETag"));
  }

  @ParameterizedTest(name = "If-None-Match: {0} / If-Modified-Since: {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        // If-None-Match: weak comparison, lists, '*'
        "ETAG                         | -                              | 304",
        "W/ETAG                       | -                              | 304",
        "\"other\", ETAG              | -                              | 304",
        "\"other\",W/ETAG             | -                              | 304",
        "*                            | -                              | 304",
        "\"other\"                    | -                              | 200",
        "\"a,b\", \"c\"               | -                              | 200",
        // If-None-Match decides alone: a matching date does not rescue a stale tag
        "\"other\"                    | Sun, 01 Mar 2026 12:00:00 GMT  | 200",
        // If-Modified-Since, at whole seconds, in all three HTTP-date forms
        "-                            | Sun, 01 Mar 2026 12:00:00 GMT  | 304",
        "-                            | Mon, 02 Mar 2026 00:00:00 GMT  | 304",
        "-                            | Sun, 01 Mar 2026 11:59:59 GMT  | 200",
        "-                            | Sunday, 01-Mar-26 12:00:00 GMT | 304",
        "-                            | Sun Mar  1 12:00:00 2026       | 304",
        "-                            | yesterday                      | 200",
      })
  void conditionalGet(String ifNoneMatch, String ifModifiedSince, int status) {
    Answer a = get(ifNoneMatch == null ? null : ifNoneMatch.replace("ETAG", ETAG),
        ifModifiedSince, null, null);
    assertEquals(status, a.status());
    assertEquals(ETAG, a.header("ETag"));
    assertEquals(CREATED_DATE, a.header("Last-Modified"));
    assertEquals(status == 200, a.sendBody());
  }

  @Test
  void notModifiedCarriesValidatorsAndLifetimeButNoBodyOrRepresentationMetadata() {
    Answer a = get(ETAG, null, null, null);
    assertEquals(304, a.status());
    assertEquals("public, max-age=31536000, immutable", a.header("Cache-Control"));
    assertNull(a.header("Content-Length"));
    assertNull(a.header("Content-Type"));
    assertEquals(0, a.length());
    assertFalse(a.sendBody());
  }

  @ParameterizedTest(name = "Range: {0} -> {1} {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "bytes=0-3        | 206 | bytes 0-3/10  | 0123",
        "bytes=2-2        | 206 | bytes 2-2/10  | 2",
        "bytes=7-         | 206 | bytes 7-9/10  | 789",
        "bytes=8-100      | 206 | bytes 8-9/10  | 89",
        "bytes=-3         | 206 | bytes 7-9/10  | 789",
        "bytes=-50        | 206 | bytes 0-9/10  | 0123456789",
        "BYTES = 1-2      | 206 | bytes 1-2/10  | 12",
        "bytes=10-        | 416 | bytes */10    | -",
        "bytes=10-20      | 416 | bytes */10    | -",
        "bytes=-0         | 416 | bytes */10    | -",
        "bytes=99999999999999999999- | 416 | bytes */10 | -",
        // several ranges or a malformed one: the whole image, as RFC 9110 allows
        "bytes=0-1,4-5    | 200 | -             | 0123456789",
        "bytes=5-2        | 200 | -             | 0123456789",
        "bytes=a-b        | 200 | -             | 0123456789",
        "bytes=-          | 200 | -             | 0123456789",
        "bytes 0-3        | 200 | -             | 0123456789",
        "items=0-3        | 200 | -             | 0123456789",
      })
  void singleByteRanges(String range, int status, String contentRange, String bytes) {
    Answer a = get(null, null, range, null);
    assertEquals(status, a.status());
    assertEquals(contentRange, a.header("Content-Range"));
    if (bytes == null) {
      assertFalse(a.sendBody());
      assertEquals("0", a.header("Content-Length"));
    } else {
      assertEquals(bytes, new String(sent(a), StandardCharsets.US_ASCII));
      assertEquals(Integer.toString(bytes.length()), a.header("Content-Length"));
    }
  }

  @Test
  void aPartialAnswerCarriesTheSameValidatorsAndLifetimeAsTheWhole() {
    Answer a = get(null, null, "bytes=0-3", null);
    assertEquals(206, a.status());
    assertEquals(ETAG, a.header("ETag"));
    assertEquals("public, max-age=31536000, immutable", a.header("Cache-Control"));
    assertEquals("image/png", a.header("Content-Type"));
  }

  @Test
  void anUnsatisfiableRangeSaysNothingADownstreamCacheCouldKeep() {
    Answer a = get(null, null, "bytes=50-", null);
    assertEquals(416, a.status());
    assertNull(a.header("Cache-Control"));
    assertNull(a.header("Content-Type"));
  }

  @ParameterizedTest(name = "If-Range: {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "ETAG                          | 206",
        "W/ETAG                        | 200", // weak tags never match If-Range
        "\"other\"                     | 200",
        "Sun, 01 Mar 2026 12:00:00 GMT | 206",
        "Sun, 01 Mar 2026 12:00:01 GMT | 200", // a date must match exactly
        "not a date                    | 200",
      })
  void ifRangeSendsThePartOnlyIfTheClientsCopyIsOfThisImage(String ifRange, int status) {
    Answer a = get(null, null, "bytes=0-3", ifRange.replace("ETAG", ETAG));
    assertEquals(status, a.status());
  }

  @Test
  void anUnchangedImageIsNotModifiedEvenWhenARangeIsAsked() {
    assertEquals(304, get(ETAG, null, "bytes=0-3", null).status());
  }

  @Test
  void headHasExactlyTheHeadersOfGetAndNoBody() {
    for (Conditions[] pair :
        new Conditions[][] {
          {Conditions.plain("GET"), Conditions.plain("HEAD")},
          {new Conditions("GET", ETAG, null, null, null),
            new Conditions("HEAD", ETAG, null, null, null)},
        }) {
      Answer get = responses.answer(pair[0], IMAGE, false, NOW);
      Answer head = responses.answer(pair[1], IMAGE, false, NOW);
      assertEquals(get.status(), head.status());
      assertEquals(get.headers(), head.headers());
      assertFalse(head.sendBody());
    }
  }

  @Test
  void headIgnoresRangeAsRfc9110Requires() {
    Answer head =
        responses.answer(new Conditions("HEAD", null, null, "bytes=0-3", null), IMAGE, false, NOW);
    assertEquals(200, head.status());
    assertEquals("10", head.header("Content-Length"));
  }

  @Test
  void aSubstitutedImageGetsAShortLifetimeAndNoExpires() {
    StoredResponse image =
        image(
            Map.of(
                "Cache-Control", List.of("public, max-age=31536000, immutable"),
                "Expires", List.of("Mon, 01 Mar 2027 12:00:00 GMT")));
    Answer exact = responses.answer(Conditions.plain("GET"), image, false, NOW);
    assertEquals("public, max-age=31536000, immutable", exact.header("Cache-Control"));
    assertEquals("Mon, 01 Mar 2027 12:00:00 GMT", exact.header("Expires"));

    for (Conditions c :
        List.of(Conditions.plain("GET"), new Conditions("GET", ETAG, null, null, null))) {
      Answer substituted = responses.answer(c, image, true, NOW);
      assertEquals("public, max-age=300", substituted.header("Cache-Control"));
      assertNull(substituted.header("Expires"));
    }
  }

  @Test
  void onlyAllowListedOriginHeadersAreReplayedEvenFromOldRows() {
    Map<String, List<String>> stored = new LinkedHashMap<>();
    stored.put("Cache-Control", List.of("public, max-age=600"));
    stored.put("Content-Disposition", List.of("inline; filename=cabin.png"));
    stored.put("Authorization", List.of("Bearer origin-secret"));
    stored.put("X-Request-Id", List.of("req-1"));
    stored.put("X-Model-Version", List.of("flux-1.1"));
    stored.put("ETag", List.of("\"origin-etag\""));
    stored.put("Vary", List.of("Accept-Encoding"));
    StoredResponse old = image(stored);

    Answer a = responses.answer(Conditions.plain("GET"), old, false, NOW);
    assertEquals("inline; filename=cabin.png", a.header("Content-Disposition"));
    assertNull(a.header("Authorization"));
    assertNull(a.header("X-Request-Id"));
    assertNull(a.header("X-Model-Version"));
    assertNull(a.header("Vary"));
    assertEquals(ETAG, a.header("ETag"));

    StoredImageResponse withModel =
        new StoredImageResponse(
            StoredHeaders.adding(Set.of("x-model-version")), "public, max-age=300");
    Answer b = withModel.answer(Conditions.plain("GET"), old, false, NOW);
    assertEquals("flux-1.1", b.header("X-Model-Version"));
    assertNull(b.header("X-Request-Id"));
  }

  @Test
  void aSubstitutedImageDoesNotCarryTheFileNameChosenForAnotherPrompt() {
    Map<String, List<String>> stored = new LinkedHashMap<>();
    stored.put("Content-Disposition", List.of("inline; filename=alice-secret.png"));
    stored.put("Content-Language", List.of("en"));
    StoredResponse drawnForAnother = image(stored);

    Answer substituted = responses.answer(Conditions.plain("GET"), drawnForAnother, true, NOW);
    assertNull(substituted.header("Content-Disposition"));
    assertEquals("en", substituted.header("Content-Language"));
    Answer own = responses.answer(Conditions.plain("GET"), drawnForAnother, false, NOW);
    assertEquals("inline; filename=alice-secret.png", own.header("Content-Disposition"));
  }

  @Test
  void anActiveImageStoredByAnOlderVersionIsSandboxed() {
    StoredResponse svg =
        new StoredResponse(
            "k", 200, "image/svg+xml", Map.of(), BODY, CREATED, null, EntrySource.ORIGIN, "p", null, null, null, null);
    Answer a = responses.answer(Conditions.plain("GET"), svg, false, NOW);
    assertEquals("sandbox", a.header("Content-Security-Policy"));
    assertEquals("nosniff", a.header("X-Content-Type-Options"));
    assertNull(get(null, null, null, null).header("Content-Security-Policy"));
  }

  @Test
  void entityTagListsAreScannedTagByTagBecauseTagsMayContainCommas() {
    assertEquals(
        List.of("\"a,b\"", "W/\"c\"", "d"), HttpValidators.tags(" \"a,b\" ,W/\"c\",d"));
    assertTrue(HttpValidators.noneMatchHits("\"x\", W/\"a,b\"", "\"a,b\""));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
