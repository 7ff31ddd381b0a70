package dev.deja.server.console;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who is calling the console, and whether a mutation may proceed. A caller is either a console
 * login (the session cookie) or an API client (the admin token as a Bearer header). A mutation
 * from a login must also pass the CSRF defence: the session's synchronizer token in the form, and
 * a same-origin {@code Origin} / {@code Sec-Fetch-Site} when the browser sends them. A Bearer call
 * carries no ambient credential a third-party page could borrow, so it needs no CSRF token.
 */
final class ConsoleAccess {

  static final String COOKIE = "deja_console";
  static final String CSRF_FIELD = "csrf";

  /**
   * An authenticated caller.
   *
   * @param session the login, or {@code null} for a Bearer call
   * @param who the name recorded with verdicts
   */
  record Caller(Sessions.Session session, String who) {
    boolean viaBearer() {
      return session == null;
    }
  }

  private final AdminToken token;
  private final Sessions sessions;
  private final String cookiePath;

  ConsoleAccess(AdminToken token, Sessions sessions, String adminPrefix) {
    this.token = token;
    this.sessions = sessions;
    this.cookiePath = adminPrefix + "/";
  }

  boolean tokenConfigured() {
    return token.configured();
  }

  /** The caller, if the Bearer header holds the token or the cookie names a live login. */
  Optional<Caller> caller(HttpServletRequest req) {
    if (token.bearerMatches(req)) {
      String who = req.getParameter("who");
      return Optional.of(new Caller(null, who == null || who.isBlank() ? "api" : who.strip()));
    }
    return sessions.find(cookie(req)).map(s -> new Caller(s, s.who()));
  }

  /**
   * Logs in with the token from the form: the one token rule, then a session and its cookie
   * (HttpOnly, SameSite=Strict, Secure when the request came over TLS).
   */
  Optional<Sessions.Session> login(HttpServletRequest req, HttpServletResponse resp,
      String givenToken, String who) {
    if (!token.matches(givenToken)) {
      return Optional.empty();
    }
    Sessions.Session s = sessions.open(who == null || who.isBlank() ? "console" : who.strip());
    resp.addHeader("Set-Cookie", cookie(s.id(), overTls(req), -1));
    return Optional.of(s);
  }

  void logout(HttpServletRequest req, HttpServletResponse resp) {
    sessions.close(cookie(req));
    resp.addHeader("Set-Cookie", cookie("", overTls(req), 0));
  }

  /** Whether a mutation by {@code caller} passes the CSRF defence. */
  boolean mutationAllowed(HttpServletRequest req, Caller caller) {
    if (caller.viaBearer()) {
      return true;
    }
    return sameOrigin(req) && csrfMatches(req.getParameter(CSRF_FIELD), caller.session());
  }

  /** The browser's own word on where a request came from, when it gives one. */
  static boolean sameOrigin(HttpServletRequest req) {
    String site = req.getHeader("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return false;
    }
    String origin = req.getHeader("Origin");
    if (origin == null) {
      return true;
    }
    // Host against the Origin's authority: behind a TLS-terminating proxy the schemes differ, and
    // no other site can send our host name as its Origin.
    String host = req.getHeader("Host");
    int authority = origin.indexOf("://");
    return host != null && authority > 0 && origin.substring(authority + 3).equalsIgnoreCase(host);
  }

  private static boolean csrfMatches(String given, Sessions.Session session) {
    return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        session.csrf().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Whether the browser reached us over TLS: directly, or through a proxy that says so. Trusting
   * the header here can only add {@code Secure}, which a client could only turn against itself.
   */
  private static boolean overTls(HttpServletRequest req) {
    return req.isSecure() || "https".equalsIgnoreCase(req.getHeader("X-Forwarded-Proto"));
  }

  private String cookie(String value, boolean secure, int maxAge) {
    return COOKIE + "=" + value + "; Path=" + cookiePath + "; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : "") + (maxAge >= 0 ? "; Max-Age=" + maxAge : "");
  }

  private static String cookie(HttpServletRequest req) {
    Cookie[] cookies = req.getCookies();
    if (cookies == null) {
      return null;
    }
    for (Cookie c : cookies) {
      if (COOKIE.equals(c.getName())) {
        return c.getValue();
      }
    }
    return null;
  }
}
