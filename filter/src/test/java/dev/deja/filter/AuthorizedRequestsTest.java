package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.filter.testing.CacheHarness;
import dev.deja.filter.testing.FilterHarness;
import dev.deja.filter.testing.TestOrigin;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9111 section 3.5 (hostile review of issue #11): an answer to a request with credentials
 * may depend on who asked, so a shared cache stores it only when the origin says it may be
 * shared ({@code public}, {@code s-maxage}, {@code must-revalidate}).
 */
class AuthorizedRequestsTest {

  /** Answers with the Cache-Control the test sets. */
  static final class Origin extends TestOrigin {
    private static final long serialVersionUID = 1L;
    volatile String cacheControl;

    Origin() {
      super(5);
    }

    @Override
    protected void respond(HttpServletRequest request, HttpServletResponse response, byte[] png)
        throws IOException {
      response.setContentType("image/png");
      response.setHeader("Cache-Control", cacheControl);
      response.setContentLength(png.length);
      response.getOutputStream().write(png);
    }
  }

  private final Origin origin = new Origin();
  private CacheHarness harness;
  private FilterHarness http;

  @BeforeEach
  void start() throws Exception {
    harness = CacheHarness.exactOnly(DejaConfig.builder(), origin);
    http = harness.http;
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  @ParameterizedTest(name = "Cache-Control: {0} -> stored={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "max-age=600 | false",
        "public, max-age=600 | true",
        "s-maxage=600 | true",
        "max-age=600, must-revalidate | true"
      })
  void anAnswerToACredentialedRequest_isSharedOnlyWhenTheOriginSaysSo(
      String cacheControl, boolean shared) throws Exception {
    origin.cacheControl = cacheControl;
    String path = "/prompt/a%20private%20gallery?seed=4&width=16&height=16";

    HttpResponse<byte[]> alice = http.get(path, "Authorization", "Bearer alice-secret-token");
    assertEquals(200, alice.statusCode());
    assertEquals(shared, alice.headers().firstValue("Cache-Status").orElse("").contains("stored"),
        alice.headers().map().toString());

    HttpResponse<byte[]> anonymous = http.get(path);
    assertEquals(shared ? "HIT" : "MISS", anonymous.headers().firstValue("X-Cache").orElse(""));
    assertEquals(shared ? 1 : 2, origin.calls());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"max-age=600", "private, max-age=600"})
  void withoutCredentials_aPlainMaxAgeIsStored_andPrivateIsNot(String cacheControl)
      throws Exception {
    origin.cacheControl = cacheControl;
    HttpResponse<byte[]> first = http.get("/prompt/a%20public%20park?seed=4&width=16&height=16");
    boolean stored = first.headers().firstValue("Cache-Status").orElse("").contains("stored");
    if (cacheControl.startsWith("private")) {
      assertFalse(stored);
    } else {
      assertTrue(stored);
    }
  }
}
