package dev.deja.server.console;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin token and the one rule that checks it: a constant-time comparison of the bytes. The
 * JSON admin API (Bearer header) and the console (its login form, and the Bearer header) both ask
 * here.
 */
public final class AdminToken {

  private final byte[] token;

  private AdminToken(byte[] token) {
    this.token = token;
  }

  /** The configured token, or {@code null} when none is (then nothing matches). */
  public static AdminToken of(String configured) {
    return new AdminToken(
        configured == null ? null : configured.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether a token is configured: without one, nothing that needs it is allowed. */
  public boolean configured() {
    return token != null;
  }

  /** Whether {@code given} is the token; compared in constant time. */
  public boolean matches(String given) {
    return token != null && given != null
        && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token);
  }

  /** Whether the request carries {@code Authorization: Bearer <token>}. */
  public boolean bearerMatches(HttpServletRequest req) {
    return matches(bearer(req));
  }

  /** The request's bearer credential, or {@code null}. */
  static String bearer(HttpServletRequest req) {
    String header = req.getHeader("Authorization");
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).strip()
        : null;
  }
}
