package dev.deja.server.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Console logins, held in memory: a session exists only after the admin token was given, its id
 * travels in the cookie (never the token itself), and it carries the synchronizer token every
 * form must send back. A restart logs everyone out.
 */
final class Sessions {

  /** How long a login lasts. */
  static final Duration LIFETIME = Duration.ofHours(12);
  /** Logins kept at most; the oldest goes first (a flood of logins cannot grow the heap). */
  static final int MAX = 1_000;

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One login.
   *
   * @param id the cookie value
   * @param csrf the synchronizer token forms carry
   * @param who the name given at login, for the verdicts' record
   * @param expiresAt when it ends
   */
  record Session(String id, String csrf, String who, Instant expiresAt) {}

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Clock clock;

  Sessions(Clock clock) {
    this.clock = clock;
  }

  /** A new login for {@code who} (already authenticated by the caller). */
  Session open(String who) {
    Instant now = clock.instant();
    sessions.values().removeIf(s -> !s.expiresAt().isAfter(now));
    while (sessions.size() >= MAX) {
      sessions.values().stream()
          .min(java.util.Comparator.comparing(Session::expiresAt))
          .ifPresent(oldest -> sessions.remove(oldest.id()));
    }
    Session s = new Session(random(), random(), who, now.plus(LIFETIME));
    sessions.put(s.id(), s);
    return s;
  }

  /** The live session of that id. */
  Optional<Session> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Session s = sessions.get(id);
    if (s == null || !s.expiresAt().isAfter(clock.instant())) {
      return Optional.empty();
    }
    return Optional.of(s);
  }

  void close(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
