package dev.deja.filter.http;

import dev.deja.db.StoredResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Answers a request from a stored image as an HTTP cache should (RFC 9110, 9111), on every hit:
 *
 * <ul>
 *   <li>validators: a strong {@code ETag} (the image's SHA-256) and {@code Last-Modified} (when
 *       the entry was created);
 *   <li>{@code If-None-Match} (weak comparison, lists, {@code *}), else {@code If-Modified-Since}:
 *       304 with the validators and lifetime headers, no body;
 *   <li>a single {@code Range} of bytes, honouring {@code If-Range}: 206, or 416 when it lies
 *       beyond the image; several ranges or a malformed one get the whole image (RFC 9110 allows
 *       ignoring Range), so clients never see multipart bodies;
 *   <li>{@code HEAD}: the headers {@code GET} would get, Content-Length included;
 *   <li>a <em>substituted</em> image (a semantic hit, or an alias of one) was drawn for another
 *       prompt: downstream caches get the configured short {@code Cache-Control} instead of the
 *       origin's (often {@code immutable} for a year), and no {@code Expires};
 *   <li>only the allow-listed origin headers ({@link StoredHeaders}), also for rows stored before
 *       the allow-list existed.
 * </ul>
 *
 * <p>{@link #answer} decides (pure, tested as a table); {@link #write} sends.
 */
public final class StoredImageResponse {

  private final StoredHeaders storedHeaders;
  private final String substitutedCacheControl;

  /**
   * @param storedHeaders the origin headers replayed on hits
   * @param substitutedCacheControl {@code Cache-Control} of semantic hits and alias hits
   */
  public StoredImageResponse(StoredHeaders storedHeaders, String substitutedCacheControl) {
    this.storedHeaders = storedHeaders;
    this.substitutedCacheControl = substitutedCacheControl;
  }

  /** The request fields that decide the answer; null when absent. */
  public record Conditions(
      String method,
      String ifNoneMatch,
      String ifModifiedSince,
      String range,
      String ifRange,
      String ifMatch,
      String ifUnmodifiedSince) {

    /** Without the preconditions that only fail a request ({@code If-Match}, its date twin). */
    public Conditions(
        String method, String ifNoneMatch, String ifModifiedSince, String range, String ifRange) {
      this(method, ifNoneMatch, ifModifiedSince, range, ifRange, null, null);
    }

    public static Conditions of(HttpServletRequest request) {
      return new Conditions(
          request.getMethod(),
          joined(request, "If-None-Match"),
          request.getHeader("If-Modified-Since"),
          joined(request, "Range"),
          request.getHeader("If-Range"),
          joined(request, "If-Match"),
          request.getHeader("If-Unmodified-Since"));
    }

    /**
     * All lines of a list header as one list (RFC 9110 5.3): a second If-None-Match line adds
     * tags, a second Range line adds ranges (so the whole image is sent).
     */
    private static String joined(HttpServletRequest request, String name) {
      List<String> values = Collections.list(request.getHeaders(name));
      return values.isEmpty() ? null : String.join(", ", values);
    }

    /** A plain request without conditions or range. */
    public static Conditions plain(String method) {
      return new Conditions(method, null, null, null, null);
    }
  }

  /**
   * What to send.
   *
   * @param status 200, 206, 304, 412 or 416 (412 and 416 carry nothing about the image but the
   *     range headers of a 416)
   * @param headers response headers in order, names as sent
   * @param from first byte of the image's body to send
   * @param length bytes to send; the {@code Content-Length} of 200 and 206, 0 otherwise
   * @param sendBody false for HEAD, 304 and 416
   */
  public record Answer(
      int status, Map<String, List<String>> headers, int from, int length, boolean sendBody) {

    /** The first value of a header, by case-insensitive name, or null. */
    public String header(String name) {
      return CacheHeaders.firstValue(headers, name);
    }
  }

  /**
   * Decides the answer to {@code request} from {@code image}.
   *
   * @param substituted the image was drawn for another prompt (semantic hit, alias hit)
   * @param now the cache's clock, for {@code Age}
   */
  public Answer answer(Conditions request, StoredResponse image, boolean substituted, Instant now) {
    int length = Math.toIntExact(image.image().length());
    String etag = HttpValidators.strongTag(image.bodySha256());
    Map<String, List<String>> h = new LinkedHashMap<>();
    lifetime(h, image, substituted);
    put(h, "ETag", etag);
    put(h, "Last-Modified", HttpValidators.httpDate(image.createdAt()));
    put(h, "Accept-Ranges", "bytes");
    long age = Math.max(0, Duration.between(image.createdAt(), now).getSeconds());
    put(h, "Age", Long.toString(age));

    if (preconditionFailed(request, image, etag)) {
      // RFC 9110 13.1.1, 13.1.4: the client holds another image than this one (or an older
      // date); nothing about this image goes with the refusal.
      Map<String, List<String>> failed = new LinkedHashMap<>();
      put(failed, "Content-Length", "0");
      return new Answer(412, failed, 0, 0, false);
    }
    if (notModified(request, image, etag)) {
      // RFC 9110 15.4.5: validators and lifetime as a 200 would carry, no representation
      // metadata that could contradict the client's stored copy.
      return new Answer(304, h, 0, 0, false);
    }
    boolean get = "GET".equals(request.method());
    long[] range =
        get && rangeApplies(request, etag, image) ? range(request.range(), length) : null;
    if (range == UNSATISFIABLE) {
      // Nothing about the image: no lifetime a downstream cache could keep this error for.
      Map<String, List<String>> error = new LinkedHashMap<>();
      put(error, "Accept-Ranges", "bytes");
      put(error, "Content-Range", "bytes */" + length);
      put(error, "Content-Length", "0");
      return new Answer(416, error, 0, 0, false);
    }
    representation(h, image, substituted);
    if (OriginPolicy.isActiveContent(image.contentType())) {
      // Stored before active types were refused: never let it script the gateway's origin.
      put(h, "Content-Security-Policy", "sandbox");
      put(h, "X-Content-Type-Options", "nosniff");
    }
    if (range != null) {
      int from = (int) range[0];
      int count = (int) (range[1] - range[0] + 1);
      put(h, "Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + length);
      put(h, "Content-Length", Integer.toString(count));
      return new Answer(206, h, from, count, true);
    }
    put(h, "Content-Length", Integer.toString(length));
    return new Answer(image.status(), h, 0, length, get);
  }

  /**
   * Sends the answer: its headers, then Deja's own (which may replace none of the
   * representation's), then the body or the range of it.
   */
  public void write(
      HttpServletRequest request,
      HttpServletResponse response,
      StoredResponse image,
      boolean substituted,
      List<String[]> dejaHeaders,
      Instant now)
      throws IOException {
    Answer answer = answer(Conditions.of(request), image, substituted, now);
    // Opened before anything is committed: an object-store image that turns out to be missing
    // (ImageMissingException) can still become a miss answered by the origin.
    byte[] inMemory = image.image().inMemory();
    InputStream body = answer.sendBody() && inMemory == null
        ? image.image().open(answer.from(), answer.length())
        : null;
    try {
      response.setStatus(answer.status());
      for (Map.Entry<String, List<String>> h : answer.headers().entrySet()) {
        String name = h.getKey();
        if (name.equalsIgnoreCase("Content-Type")) {
          response.setContentType(h.getValue().get(0));
        } else if (name.equalsIgnoreCase("Content-Length")) {
          response.setContentLengthLong(Long.parseLong(h.getValue().get(0)));
        } else {
          for (String value : h.getValue()) {
            response.addHeader(name, value);
          }
        }
      }
      for (String[] h : dejaHeaders) {
        response.setHeader(h[0], h[1]);
      }
      if (body != null) {
        copy(body, response.getOutputStream(), answer.length());
      } else if (answer.sendBody()) {
        response.getOutputStream().write(inMemory, answer.from(), answer.length());
      }
    } finally {
      if (body != null) {
        body.close();
      }
    }
  }

  /**
   * Streams exactly {@code length} bytes; a store that ends early is a cut transfer (the client
   * must not take a short body for the image), so it throws rather than returning quietly.
   */
  private static void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long left = length;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new EOFException("object ended " + left + " bytes early");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  // --- headers -------------------------------------------------------------------------------

  /** Cache-Control and Expires: the origin's for an exact hit, short for a substituted image. */
  private void lifetime(Map<String, List<String>> h, StoredResponse image, boolean substituted) {
    if (substituted) {
      put(h, "Cache-Control", substitutedCacheControl);
      return;
    }
    copy(h, image, "Cache-Control");
    copy(h, image, "Expires");
  }

  /**
   * The representation's metadata, sent with 200, 206 and 416 but not with 304. A substituted
   * image keeps none of its exchange's {@code Content-Disposition}: the file name was chosen for
   * the prompt it was drawn for (often the prompt itself, or a user id), not for this request.
   */
  private void representation(
      Map<String, List<String>> h, StoredResponse image, boolean substituted) {
    put(h, "Content-Type", image.contentType());
    for (Map.Entry<String, List<String>> stored : image.headers().entrySet()) {
      String lower = stored.getKey().toLowerCase(Locale.ROOT);
      if (!lower.equals("cache-control") && !lower.equals("expires")
          && !(substituted && lower.equals("content-disposition"))
          && storedHeaders.allows(lower)) {
        h.put(stored.getKey(), List.copyOf(stored.getValue()));
      }
    }
  }

  private void copy(Map<String, List<String>> h, StoredResponse image, String name) {
    if (!storedHeaders.allows(name)) {
      return;
    }
    for (Map.Entry<String, List<String>> stored : image.headers().entrySet()) {
      if (stored.getKey().equalsIgnoreCase(name) && !stored.getValue().isEmpty()) {
        h.put(name, List.copyOf(stored.getValue()));
      }
    }
  }

  private static void put(Map<String, List<String>> h, String name, String value) {
    h.put(name, List.of(value));
  }

  // --- conditions ----------------------------------------------------------------------------

  /**
   * RFC 9110 13.2.2, steps 1 and 2: {@code If-Match} decides when present (strong comparison;
   * {@code *} matches, since the image exists); {@code If-Unmodified-Since} only without it, and
   * an unparsable date is ignored.
   */
  private static boolean preconditionFailed(
      Conditions request, StoredResponse image, String etag) {
    if (request.ifMatch() != null) {
      return !HttpValidators.matchHits(request.ifMatch(), etag);
    }
    Long since = HttpValidators.parseHttpDate(request.ifUnmodifiedSince());
    return since != null && image.createdAt().getEpochSecond() > since;
  }

  /**
   * RFC 9110 13.2.2, steps 3 and 4 for GET and HEAD: If-None-Match decides when present;
   * If-Modified-Since only without it (an ETag is the more precise validator).
   */
  private static boolean notModified(Conditions request, StoredResponse image, String etag) {
    if (request.ifNoneMatch() != null) {
      return HttpValidators.noneMatchHits(request.ifNoneMatch(), etag);
    }
    Long since = HttpValidators.parseHttpDate(request.ifModifiedSince());
    return since != null && image.createdAt().getEpochSecond() <= since;
  }

  /**
   * Whether the Range applies: there is one and {@code If-Range}, if sent, still names this
   * image, by strong ETag or by exactly its Last-Modified date. Otherwise the client's partial
   * copy is of another image and it gets the whole new one.
   */
  private static boolean rangeApplies(Conditions request, String etag, StoredResponse image) {
    if (request.range() == null) {
      return false;
    }
    String ifRange = request.ifRange();
    if (ifRange == null) {
      return true;
    }
    String v = ifRange.strip();
    if (v.startsWith("\"") || v.startsWith("W/")) {
      return HttpValidators.strongMatch(v, etag);
    }
    Long date = HttpValidators.parseHttpDate(v);
    return date != null && date == image.createdAt().getEpochSecond();
  }

  /** Marks a range that lies wholly beyond the image. */
  private static final long[] UNSATISFIABLE = new long[0];

  /**
   * The inclusive byte range of a {@code Range} value for a body of {@code length} bytes: {@code
   * bytes=a-b}, {@code a-} or {@code -n} (the last n). Null when the value is malformed, not in
   * bytes or asks for several ranges (the whole image is sent); {@link #UNSATISFIABLE} when it
   * starts beyond the end or asks for the last 0 bytes.
   */
  static long[] range(String value, long length) {
    String v = value.strip();
    int eq = v.indexOf('=');
    if (eq < 0 || !v.substring(0, eq).strip().equalsIgnoreCase("bytes")) {
      return null;
    }
    String spec = v.substring(eq + 1).strip();
    int dash = spec.indexOf('-');
    if (spec.indexOf(',') >= 0 || dash < 0) {
      return null;
    }
    long first = number(spec.substring(0, dash).strip());
    long last = number(spec.substring(dash + 1).strip());
    if (first == MALFORMED || last == MALFORMED || (first == ABSENT && last == ABSENT)) {
      return null;
    }
    if (first == ABSENT) { // suffix: the last n bytes
      if (last == 0 || length == 0) {
        return UNSATISFIABLE;
      }
      return new long[] {Math.max(0, length - last), length - 1};
    }
    if (last != ABSENT && last < first) {
      return null; // invalid per RFC 9110 14.1.1: ignored
    }
    if (first >= length) {
      return UNSATISFIABLE;
    }
    return new long[] {first, last == ABSENT || last >= length ? length - 1 : last};
  }

  private static final long ABSENT = -1;
  private static final long MALFORMED = -2;

  /** A non-negative decimal; huge values saturate (they are beyond any image anyway). */
  private static long number(String digits) {
    if (digits.isEmpty()) {
      return ABSENT;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return MALFORMED;
      }
    }
    return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
  }
}
