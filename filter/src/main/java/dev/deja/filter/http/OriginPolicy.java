package dev.deja.filter.http;

import dev.deja.db.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which origin answers may be stored, and for how long.
 *
 * <p>Active image types ({@code image/svg+xml} and any other {@code image/*+xml}) are never
 * stored: an SVG may carry {@code <script>}, and replayed from the cache it would run on the
 * gateway's origin for every client whose prompt is merely similar. Deja does not rewrite such an
 * answer when it passes it through on a miss (the origin's answer is forwarded untouched, as for
 * every miss); a hit on a row stored by an older version is served with {@code
 * Content-Security-Policy: sandbox} (see {@link StoredImageResponse}).
 */
public final class OriginPolicy {

  private static final Pattern MAX_AGE =
      Pattern.compile("(?:^|,)\\s*(s-maxage|max-age)\\s*=\\s*\"?(\\d+)\"?", Pattern.CASE_INSENSITIVE);
  private static final Pattern FORBIDS_STORE =
      Pattern.compile("(?:^|,)\\s*(no-store|private|no-cache)\\b", Pattern.CASE_INSENSITIVE);

  /** Longest lifetime honoured: 100 years. */
  static final long MAX_LIFETIME_SECONDS = 100L * 365 * 24 * 3600;

  private static final Pattern STALE_IF_ERROR =
      Pattern.compile("(?:^|,)\\s*stale-if-error\\s*=\\s*\"?(\\d+)\"?", Pattern.CASE_INSENSITIVE);

  private final Duration defaultTtl;
  private final Duration staleIfError;

  /** @param defaultTtl lifetime when the origin gives none, or null for "until evicted" */
  public OriginPolicy(Duration defaultTtl) {
    this(defaultTtl, Duration.ZERO);
  }

  /**
   * @param defaultTtl lifetime when the origin gives none, or null for "until evicted"
   * @param staleIfError how long after expiry an entry may stand in for a failing origin
   */
  public OriginPolicy(Duration defaultTtl, Duration staleIfError) {
    this.defaultTtl = defaultTtl;
    this.staleIfError = staleIfError;
  }

  /**
   * Whether an expired entry may be served at {@code now} because the origin failed: within the
   * configured {@code staleIfError} window after expiry, shortened (never lengthened: expired
   * entries are only kept that long) by the origin's own {@code stale-if-error=N} directive.
   *
   * @param cacheControl the entry's stored {@code Cache-Control}, or null
   */
  private boolean staleUsable(Instant expiresAt, String cacheControl, Instant now) {
    if (expiresAt == null || staleIfError.isZero()) {
      return false;
    }
    Duration window = staleIfError;
    if (cacheControl != null) {
      Matcher m = STALE_IF_ERROR.matcher(cacheControl);
      if (m.find()) {
        try {
          window = min(window, Duration.ofSeconds(Long.parseLong(m.group(1))));
        } catch (NumberFormatException e) {
          // a number too large for a long: the configured window stands
        }
      }
    }
    return now.isBefore(expiresAt.plus(window));
  }

  /**
   * RFC 5861 {@code stale-if-error}: whether {@code stale}, the request's own expired entry, may
   * answer instead of the origin's {@code originStatus}. Only for 500, 502, 503 and 504 (the
   * gateway's own 502 for an unreachable origin and 504 for a timeout included), and only within
   * the window of {@link #staleUsable}.
   */
  public boolean staleStandsIn(StoredResponse stale, int originStatus, Instant now) {
    boolean originFailed =
        originStatus == 500 || originStatus == 502 || originStatus == 503 || originStatus == 504;
    return stale != null
        && originFailed
        && staleUsable(
            stale.expiresAt(), CacheHeaders.firstValue(stale.headers(), "Cache-Control"), now);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * Why the answer may not be stored, or null when it may: 200, a passive image (not {@link
   * #isActiveContent active}), not forbidden by the origin's {@code Cache-Control}, and no cookie
   * being set (a cookie means a per-user answer).
   */
  public String refusal(int status, String contentType, String cacheControl, boolean setsCookie) {
    return refusal(status, contentType, cacheControl, setsCookie, null, null);
  }

  /**
   * As above, also refusing a body that is content-encoded (it would be replayed to clients that
   * did not ask for that encoding) or that varies on request headers other than
   * {@code Accept-Encoding} and {@code Origin} (e.g. {@code Vary: Accept} picks webp or png per
   * client, and one client's choice must not be served to another).
   */
  public String refusal(
      int status,
      String contentType,
      String cacheControl,
      boolean setsCookie,
      String contentEncoding,
      String vary) {
    return refusal(status, contentType, cacheControl, setsCookie, contentEncoding, vary, false);
  }

  /**
   * As above, for a request that did or did not carry {@code Authorization}: RFC 9111 section 3.5
   * lets a shared cache store the answer to such a request only when the origin marked it {@code
   * public}, {@code s-maxage} or {@code must-revalidate}; otherwise it may depend on who asked (a
   * paid tier without a logo, a private gallery) and is refused as {@code authorization}.
   */
  public String refusal(
      int status,
      String contentType,
      String cacheControl,
      boolean setsCookie,
      String contentEncoding,
      String vary,
      boolean requestAuthorized) {
    String basic = basicRefusal(status, contentType, cacheControl, setsCookie);
    if (basic != null) {
      return basic;
    }
    if (contentEncoding != null
        && !contentEncoding.isBlank()
        && !contentEncoding.strip().equalsIgnoreCase("identity")) {
      return "content-encoding";
    }
    if (vary != null) {
      for (String field : vary.split(",")) {
        String f = field.strip().toLowerCase(Locale.ROOT);
        if (!f.isEmpty() && !f.equals("accept-encoding") && !f.equals("origin")) {
          return "vary";
        }
      }
    }
    if (requestAuthorized
        && (cacheControl == null || !SHARED_DESPITE_AUTHORIZATION.matcher(cacheControl).find())) {
      return "authorization";
    }
    return null;
  }

  private String basicRefusal(
      int status, String contentType, String cacheControl, boolean setsCookie) {
    if (status != 200) {
      return "status-" + status;
    }
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("image/")) {
      return "not-an-image";
    }
    if (isActiveContent(contentType)) {
      return "active-content";
    }
    if (cacheControl != null && FORBIDS_STORE.matcher(cacheControl).find()) {
      return "origin-cache-control";
    }
    if (maxAge(cacheControl) == 0) {
      return "origin-max-age-0";
    }
    if (setsCookie) {
      return "set-cookie";
    }
    return null;
  }

  /**
   * Whether a content type is an image that can run script or load other resources when opened
   * by a browser: any {@code image/...+xml} (SVG), parameters and case ignored.
   */
  public static boolean isActiveContent(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type =
        (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .strip()
            .toLowerCase(Locale.ROOT);
    return type.startsWith("image/") && type.endsWith("+xml");
  }

  private static final Pattern SHARED_DESPITE_AUTHORIZATION =
      Pattern.compile(
          "(?:^|,)\\s*(public|s-maxage|must-revalidate)\\b", Pattern.CASE_INSENSITIVE);

  /** When an answer stored now expires: {@code s-maxage}, else {@code max-age}, else default. */
  public Instant expiresAt(String cacheControl, Instant now) {
    long seconds = maxAge(cacheControl);
    if (seconds >= 0) {
      // 'max-age=99999999999' means forever; keep the instant representable in the database.
      return now.plusSeconds(Math.min(seconds, MAX_LIFETIME_SECONDS));
    }
    return defaultTtl == null ? null : now.plus(defaultTtl);
  }

  /** Seconds from s-maxage (preferred, this is a shared cache) or max-age; -1 when absent. */
  static long maxAge(String cacheControl) {
    if (cacheControl == null) {
      return -1;
    }
    long maxAge = -1;
    Matcher m = MAX_AGE.matcher(cacheControl);
    while (m.find()) {
      long value;
      try {
        value = Long.parseLong(m.group(2));
      } catch (NumberFormatException e) {
        value = Long.MAX_VALUE / 2;
      }
      if (m.group(1).equalsIgnoreCase("s-maxage")) {
        return value;
      }
      maxAge = value;
    }
    return maxAge;
  }
}
