package dev.deja.filter.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.deja.filter.DejaConfig;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {

  private final RequestParser parser = new RequestParser(DejaConfig.defaults().rules());

  private ParsedRequest.Cacheable cacheable(String path, String query) {
    return assertInstanceOf(
        ParsedRequest.Cacheable.class, parser.parse("GET", path, query, null));
  }

  @Test
  void explicitDefaultsAndAbsentParametersShareOneKey() {
    var bare = cacheable("/prompt/a%20cat", null);
    var explicit = cacheable("/prompt/a%20cat", "width=1024&height=1024&model=flux");
    assertEquals(bare.key(), explicit.key());
    assertEquals("1024x1024_unseeded", bare.partition().bucket());
  }

  @Test
  void parameterOrderDoesNotChangeTheKey() {
    assertEquals(
        cacheable("/prompt/x", "seed=4&width=512&height=768").key(),
        cacheable("/prompt/x", "height=768&seed=4&width=512").key());
  }

  @Test
  void ignoredParametersAreDroppedFromTheKey() {
    assertEquals(
        cacheable("/prompt/x", "seed=1").key(),
        cacheable("/prompt/x", "seed=1&token=secret&referrer=site&nofeed=true").key());
  }

  @Test
  void plusStaysAPlusSignAsTheOriginalSystemDid() {
    assertEquals("c++ logo", cacheable("/prompt/c++%20logo", null).request().prompt());
    assertNotEquals(
        cacheable("/prompt/a+b", null).key(), cacheable("/prompt/a%20b", null).key());
  }

  @Test
  void inTheQueryPlusIsASpaceAsTheOriginReadsIt() {
    assertEquals("c   logo", cacheable("/prompt/", "prompt=c++%20logo").request().prompt());
    assertNotEquals(
        cacheable("/prompt/", "prompt=c++").key(), cacheable("/prompt/", "prompt=c%2B%2B").key());
    assertEquals("blurry faces", cacheable("/prompt/x", "negative_prompt=blurry+faces").request()
        .param("negative_prompt"));
  }

  @Test
  void aRepeatedParameterIsPassedThroughBecauseTheOriginReadsOnlyOne() {
    var invalid =
        assertInstanceOf(
            ParsedRequest.Invalid.class,
            parser.parse("GET", "/prompt/x", "negative_prompt=blurry&negative_prompt=dark", null));
    assertEquals("repeated-param", invalid.reason());
    assertNotEquals(
        cacheable("/prompt/x", "image=https://a/1.png&image=https://a/2.png").partition(),
        cacheable("/prompt/x", "image=https://a/1.png").partition());
  }

  @Test
  void everyCachedRouteHasItsOwnPartitions() {
    RequestParser two =
        new RequestParser(DejaConfig.builder().paths(java.util.List.of("/prompt/*", "/edit/*"))
            .build().rules());
    var generate = (ParsedRequest.Cacheable) two.parse("GET", "/prompt/a%20cat", "seed=1", null);
    var edit = (ParsedRequest.Cacheable) two.parse("GET", "/edit/a%20cat", "seed=1", null);
    assertEquals("1024x1024_seed1", generate.partition().bucket());
    assertNotEquals(generate.partition().bucket(), edit.partition().bucket());
  }

  @Test
  void promptIsDecodedExactlyOnce() {
    assertEquals("100%25", cacheable("/prompt/100%2525", null).request().prompt());
  }

  @Test
  void seedZeroIsARealSeedAndDiffersFromNoSeed() {
    var zero = cacheable("/prompt/x", "seed=0");
    var none = cacheable("/prompt/x", null);
    assertEquals(0L, zero.request().seed());
    assertNull(none.request().seed());
    assertNotEquals(zero.partition().bucket(), none.partition().bucket());
    assertEquals("1024x1024_seed0", zero.partition().bucket());
  }

  @Test
  void promptCanComeFromTheQuery() {
    assertEquals("a cat", cacheable("/prompt/", "prompt=a%20cat").request().prompt());
  }

  @Test
  void aPromptInTheQueryIsAnotherRequestThanTheSamePromptInThePath() {
    // The origin receives two different requests and may answer them differently.
    var inQuery = cacheable("/prompt/", "prompt=a%20cat&seed=1");
    var inPath = cacheable("/prompt/a%20cat", "seed=1");
    assertEquals(inPath.request().prompt(), inQuery.request().prompt());
    assertNotEquals(inPath.key(), inQuery.key());
    assertNotEquals(inPath.partition().bucket(), inQuery.partition().bucket());
  }

  @Test
  void pathStyleKeysAndBucketsAreThoseStoredBeforeThePromptLocationCounted() {
    // Computed by the previous release: existing entries stay reachable.
    var plain = cacheable("/prompt/a%20cat", "seed=1");
    assertEquals(
        "1dc863352007c2d5708d72c4aec96500c85b42d216c14bf1dc3ea746f6a01613", plain.key().value());
    assertEquals("1024x1024_seed1", plain.partition().bucket());
  }

  @ParameterizedTest(name = "{0} is passed through uncached: the origin may read another path")
  @CsvSource({
    "/prompt/a%20red%20sports%20car/../x, dot-segment",
    "/prompt/a%20red%20sports%20car/./x, dot-segment",
    "/prompt/a%20red%20sports%20car/.., dot-segment",
    "/prompt/../x, dot-segment",
    "/prompt/./x, dot-segment",
    "/prompt/a/%2e%2e/x, dot-segment",
    "/prompt/a/%2E%2e/x, dot-segment",
    "/prompt/a/.%2E/x, dot-segment",
    "/prompt/a/%2e/x, dot-segment",
    "/prompt/a%2F..%2Fx, dot-segment",
    "/prompt/a%2f%2e%2e%2fx, dot-segment",
    "/prompt/a%5C..%5Cx, dot-segment",
    "/prompt/a/%252e%252e/x, dot-segment",
    "/prompt/a/..;p/x, path-parameter",
    "/prompt/x;a%20red%20sports%20car, path-parameter",
    "/prompt/a%20cat;jsessionid=1, path-parameter",
  })
  void pathsAServerCouldResolveToAnotherPromptAreNeverKeyed(String path, String reason) {
    var invalid =
        assertInstanceOf(ParsedRequest.Invalid.class, parser.parse("GET", path, "seed=104", null));
    assertEquals(reason, invalid.reason());
  }

  @ParameterizedTest(name = "{0} is the prompt \"{1}\"")
  @CsvSource(
      delimiter = '|',
      value = {
        "/prompt/f%2F1.8 | f/1.8",
        "/prompt/f/1.8 | f/1.8",
        "/prompt/1%2F4%20of%20a%20pie | 1/4 of a pie",
        "/prompt/100%25%20cotton | 100% cotton",
        "/prompt/wait...%20what | wait... what",
        "/prompt/...%2F.a%2Fa. | .../.a/a.",
        "/prompt/a%3Bb | a;b",
        "/prompt/back%5Cslash | back\\slash",
      })
  void dotsSlashesAndPercentSignsInsideAPromptAreKeyedDecodedOnce(String path, String prompt) {
    assertEquals(prompt, cacheable(path, null).request().prompt());
  }

  @Test
  void anEncodedSlashAndALiteralOneAreTheSamePrompt() {
    assertEquals(cacheable("/prompt/f%2F1.8", null).key(), cacheable("/prompt/f/1.8", null).key());
  }

  @Test
  void nonAsciiPromptsSurvive() {
    assertEquals(
        "日本語の猫", cacheable("/prompt/%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%81%AE%E7%8C%AB", null)
            .request().prompt());
  }

  @Test
  void everyInputImageIsPartOfThePartitionNotJustAPrefix() {
    var a = cacheable("/prompt/x", "image=https://img.example/aaaaaaaa/one.png");
    var b = cacheable("/prompt/x", "image=https://img.example/aaaaaaaa/two.png");
    assertNotEquals(a.partition().bucket(), b.partition().bucket());
    var list = cacheable("/prompt/x", "image=https://a/1.png,https://a/2.png");
    assertEquals(2, list.request().imageInputs().size());
  }

  @ParameterizedTest(name = "{0}?{1} is passed through as {2}")
  @CsvSource({
    "/prompt/bad%zzescape, , bad-encoding",
    "/prompt/x, width=wide, invalid-width",
    "/prompt/x, seed=abc, invalid-seed",
    "/prompt/x, height=-5, invalid-height",
    "/prompt/x, colour=red, unknown-param",
    "/prompt/%C3%28, , bad-encoding",
    "/prompt/x, prompt=y, prompt-twice",
    "/prompt/%20%20, , no-prompt",
    "/prompt/x, seed=07, non-canonical-seed",
    "/prompt/x, seed=%2B7, non-canonical-seed",
    "/prompt/x, seed=-0, non-canonical-seed",
    "/prompt/x, seed=%207, non-canonical-seed",
    "/prompt/x, width=0512, non-canonical-width",
    "/prompt/x, height=+512, non-canonical-height",
  })
  void badInputIsPassedThroughUncached(String path, String query, String reason) {
    var invalid =
        assertInstanceOf(ParsedRequest.Invalid.class, parser.parse("GET", path, query, null));
    assertEquals(reason, invalid.reason());
  }

  @ParameterizedTest(name = "{0} and {1} are two requests")
  @CsvSource({
    "/prompt/cafe%CC%81, /prompt/caf%C3%A9",
    "/prompt/%E2%84%AB, /prompt/%C3%85",
    "/prompt/blue%20bird%20, /prompt/blue%20bird",
    "/prompt/%E2%80%83blue%20bird, /prompt/blue%20bird",
  })
  void promptsTheOriginReceivesAsOtherCodePointsAreOtherKeys(String a, String b) {
    // Hostile review of issue #11: NFC folding and trimming gave these one key, while the origin
    // receives (and may draw) each as sent. They still meet as semantic hits.
    assertNotEquals(cacheable(a, "seed=1").key(), cacheable(b, "seed=1").key());
  }

  @Test
  void aHundredKilobytePromptIsPassedThroughUncached() {
    String huge = "a".repeat(100_000);
    var invalid =
        assertInstanceOf(ParsedRequest.Invalid.class, parser.parse("GET", "/prompt/" + huge, null, null));
    assertEquals("prompt-too-long", invalid.reason());
  }

  @Test
  void otherPathsAndMethodsAreNotCacheable() {
    assertInstanceOf(ParsedRequest.NotCacheable.class, parser.parse("GET", "/models", null, null));
    assertInstanceOf(
        ParsedRequest.NotCacheable.class, parser.parse("POST", "/prompt/x", null, null));
  }

  @Test
  void tenantsNeverShareAPartition() {
    RequestParser tenanted =
        new RequestParser(DejaConfig.builder().tenantHeader("X-Tenant").build().rules());
    var a = (ParsedRequest.Cacheable) tenanted.parse("GET", "/prompt/x", null, "acme");
    var b = (ParsedRequest.Cacheable) tenanted.parse("GET", "/prompt/x", null, "globex");
    assertNotEquals(a.key(), b.key());
    assertNotEquals(a.partition().bucket(), b.partition().bucket());
    assertInstanceOf(
        ParsedRequest.Invalid.class, tenanted.parse("GET", "/prompt/x", null, null));
  }

  /** The hand-written segment check is exactly the pattern it replaced. */
  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "...", "%2e", "%2E",
      "%2e%2e", ".%2E", "%2e.", "%2e%2e%2e", "%2", "%2f", "a", ".a", "a.", "%2ea", " .", ". ",
      "%252e", "..%2e", "%2e%2E"})
  void isDotSegment_isThePattern(String segment) {
    boolean expected = Pattern.compile("(?i)(\\.|%2e){1,2}").matcher(segment)
        .matches();
    assertEquals(expected, RequestParser.isDotSegment(segment, 0, segment.length()), segment);
    String framed = "x/" + segment + "/y";
    assertEquals(expected, RequestParser.isDotSegment(framed, 2, 2 + segment.length()), framed);
  }
}
