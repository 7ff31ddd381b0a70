package dev.deja.server.console;

import dev.deja.db.CacheUnavailableException;
import dev.deja.db.MatchFeedback;
import dev.deja.db.StoredResponse;
import dev.deja.filter.DejaCache;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console under the admin prefix: pages under {@code ui/}, the verdict API {@code
 * POST feedback} and its export {@code GET feedback.tsv}. Everything but the login form and the
 * stylesheet needs the admin token, given once at the login form (then a session cookie) or as a
 * Bearer header; every mutation from a browser also needs the session's CSRF token.
 */
public final class ConsoleServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleServlet.class);
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
  /** How far past expiry the console still shows an image: it is an inspection, not a serve. */
  private static final Duration SHOW_EXPIRED_FOR = Duration.ofDays(365);
  /** The request counters are sampled this often, so each minute's plot point is its own. */
  static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
  /** Verdicts recorded by other instances are refused here too after at most this long. */
  static final Duration VERDICTS_EVERY = Duration.ofMinutes(1);

  private final transient String prefix;
  private final transient DejaCache cache;
  private final transient ConsoleAccess access;
  private final transient Layout layout;
  private final transient OutcomeRing ring;
  private final transient OverviewPage overview;
  private final transient AuditPage audit;
  private final transient ExplainPage explain;
  private final transient EntriesPage entries;
  private final transient ScheduledExecutorService sampler;
  private final transient OperatorVerdicts verdicts;

  /**
   * @param adminPrefix where the admin API lives, e.g. {@code /_deja}
   * @param adminToken the admin token, or {@code null} (then the console is off)
   * @param registry the registry the filter counts requests in
   * @param verdicts the wrong pairs the cache's matcher refuses ({@link OperatorVerdicts#guard})
   */
  public ConsoleServlet(String adminPrefix, String adminToken, DejaCache cache,
      MeterRegistry registry, OperatorVerdicts verdicts) {
    Clock clock = Clock.systemUTC();
    this.prefix = adminPrefix;
    this.cache = cache;
    this.verdicts = verdicts;
    this.access = new ConsoleAccess(AdminToken.of(adminToken), new Sessions(clock), adminPrefix);
    this.layout = new Layout(adminPrefix);
    this.ring = new OutcomeRing(registry, clock);
    this.overview = new OverviewPage(layout, cache, ring, clock);
    this.audit = new AuditPage(layout, cache, clock);
    this.explain = new ExplainPage(layout, new Explainer(cache), cache.config().rules()
        .tenantHeader());
    this.entries = new EntriesPage(layout, cache, clock);
    this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "deja-console-sampler");
      t.setDaemon(true);
      return t;
    });
    sampler.scheduleAtFixedRate(ring::sample, SAMPLE_EVERY.toMillis(), SAMPLE_EVERY.toMillis(),
        TimeUnit.MILLISECONDS);
    sampler.scheduleWithFixedDelay(this::loadVerdicts, 0, VERDICTS_EVERY.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Picks up verdicts given before a restart or on other instances. */
  private void loadVerdicts() {
    try {
      verdicts.load(cache.store().audit().feedback());
    } catch (RuntimeException e) {
      LOG.debug("Deja console: verdicts not loaded yet: {}", e.toString());
    }
  }

  @Override
  public void destroy() {
    sampler.shutdownNow();
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Layout.secure(resp);
    String path = path(req);
    if (path.equals("/ui/static/console.css")) {
      stylesheet(resp);
      return;
    }
    if (!access.tokenConfigured()) {
      Layout.send(resp, 403, layout.page("Console off", "", null,
          "<p>The console needs an admin token: start Deja with <code>--admin-token</code>.</p>"));
      return;
    }
    if (path.equals("/ui/login")) {
      Layout.send(resp, 200, loginForm(null));
      return;
    }
    Optional<ConsoleAccess.Caller> caller = access.caller(req);
    if (caller.isEmpty()) {
      if (path.startsWith("/ui") && !path.startsWith("/ui/image/")) {
        resp.setStatus(303);
        resp.setHeader("Location", layout.ui("login"));
      } else {
        unauthorised(resp);
      }
      return;
    }
    Sessions.Session session = caller.get().session();
    try {
      switch (path) {
        case "/ui", "/ui/" -> Layout.send(resp, 200, overview.render(session));
        case "/ui/audit" -> Layout.send(resp, 200, audit.render(req, session));
        case "/ui/explain" -> Layout.send(resp, 200, explain.render(req, session));
        case "/ui/entries" -> Layout.send(resp, 200, entries.list(req, session));
        case "/ui/entry" -> entry(req, resp, session);
        case "/feedback.tsv" -> export(resp);
        default -> {
          if (path.startsWith("/ui/image/")) {
            image(path.substring("/ui/image/".length()), resp);
          } else {
            notFound(resp);
          }
        }
      }
    } catch (CacheUnavailableException | UnsupportedOperationException e) {
      if (!resp.isCommitted()) {
        resp.reset();
        Layout.secure(resp);
        Layout.send(resp, 503, layout.page("Unavailable", "", session,
            "<p class=\"error\">" + Html.escape(e.getMessage()) + "</p>"));
      }
    }
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Layout.secure(resp);
    String path = path(req);
    if (!access.tokenConfigured()) {
      json(resp, 403, Map.of("error", "the console needs --admin-token"));
      return;
    }
    if (path.equals("/ui/login")) {
      login(req, resp);
      return;
    }
    Optional<ConsoleAccess.Caller> found = access.caller(req);
    if (found.isEmpty()) {
      unauthorised(resp);
      return;
    }
    ConsoleAccess.Caller caller = found.get();
    if (!access.mutationAllowed(req, caller)) {
      json(resp, 403, Map.of("error", "cross-site request refused: the form's CSRF token is"
          + " missing or wrong, or the request came from another origin"));
      return;
    }
    try {
      switch (path) {
        case "/feedback" -> feedback(req, resp, caller);
        case "/ui/entries/delete" -> delete(req, resp);
        case "/ui/logout" -> {
          access.logout(req, resp);
          redirect(resp, layout.ui("login"));
        }
        default -> notFound(resp);
      }
    } catch (CacheUnavailableException | UnsupportedOperationException e) {
      json(resp, 503, Map.of("error", String.valueOf(e.getMessage())));
    }
  }

  // --- routes --------------------------------------------------------------------------------

  private void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (!ConsoleAccess.sameOrigin(req)) {
      Layout.send(resp, 403, loginForm("Login refused: the form was posted from another site."));
      return;
    }
    if (access.login(req, resp, req.getParameter("token"), req.getParameter("who")).isEmpty()) {
      LOG.info("Deja console: failed login from {}", req.getRemoteAddr());
      Layout.send(resp, 401, loginForm("Wrong token."));
      return;
    }
    redirect(resp, layout.ui(""));
  }

  private void feedback(HttpServletRequest req, HttpServletResponse resp,
      ConsoleAccess.Caller caller) throws IOException {
    String key = req.getParameter("key");
    String verdict = req.getParameter("verdict");
    if (key == null || !KEY.matcher(key).matches()) {
      json(resp, 400, Map.of("error", "key must be the X-Cache-Key of the served request"
          + " (64 hex digits)"));
      return;
    }
    if (!"wrong".equals(verdict) && !"right".equals(verdict)) {
      json(resp, 400, Map.of("error", "verdict must be wrong or right"));
      return;
    }
    boolean right = verdict.equals("right");
    Optional<MatchFeedback> recorded = cache.store().audit().judge(key, right, caller.who());
    if (recorded.isEmpty()) {
      json(resp, 404, Map.of("error", "no served semantic hit has key " + key
          + " (not a semantic hit, or already judged wrong)"));
      return;
    }
    verdicts.apply(recorded.get());
    if (!right) {
      // The alias is gone from the database; every instance's hot tier must forget it too.
      cache.coherence().deleted(key);
    }
    LOG.info("Deja console: {} marked {} {} (similarity {})", caller.who(), key, verdict,
        recorded.get().similarity());
    if (caller.viaBearer()) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("key", key);
      body.put("verdict", verdict);
      body.put("recorded", true);
      body.put("aliasRemoved", !right);
      json(resp, 200, body);
    } else {
      redirect(resp, back(req));
    }
  }

  private void delete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String key = req.getParameter("key");
    if (key == null || !KEY.matcher(key).matches()) {
      json(resp, 400, Map.of("error", "key must be a cache key (64 hex digits)"));
      return;
    }
    boolean deleted = cache.delete(key); // from the store and every instance's hot tier
    LOG.info("Deja console: delete entry {} -> {}", key, deleted ? "deleted" : "not found");
    redirect(resp, back(req));
  }

  private void entry(HttpServletRequest req, HttpServletResponse resp, Sessions.Session session)
      throws IOException {
    String key = req.getParameter("key");
    String html = key == null || !KEY.matcher(key).matches() ? null : entries.one(key, session);
    if (html == null) {
      Layout.send(resp, 404, layout.page("No such entry", "entries", session,
          "<p>No entry has that key.</p>"));
    } else {
      Layout.send(resp, 200, html);
    }
  }

  private void export(HttpServletResponse resp) throws IOException {
    var verdicts = cache.store().audit().feedback();
    resp.setStatus(200);
    resp.setContentType(FeedbackTsv.CONTENT_TYPE);
    resp.setHeader("Cache-Control", "no-store");
    resp.setHeader("Content-Disposition", "attachment; filename=\"feedback.tsv\"");
    FeedbackTsv.write(verdicts, resp.getWriter());
  }

  /** The stored image bytes of an entry or alias, for the console's thumbnails. */
  private void image(String key, HttpServletResponse resp) throws IOException {
    if (!KEY.matcher(key).matches()) {
      notFound(resp);
      return;
    }
    Optional<StoredResponse> found = cache.store().findExactOrStale(key, SHOW_EXPIRED_FOR);
    if (found.isEmpty()) {
      notFound(resp);
      return;
    }
    StoredResponse image = found.get();
    String type = image.contentType() == null ? "" : image.contentType().toLowerCase();
    // Raster images only: an origin that stored HTML or SVG must not get a page onto this origin.
    if (!type.startsWith("image/") || type.startsWith("image/svg")) {
      json(resp, 415, Map.of("error", "the stored body is " + type + ", not a raster image"));
      return;
    }
    resp.setStatus(200);
    resp.setContentType(image.contentType());
    resp.setHeader("Content-Security-Policy", "default-src 'none'; sandbox");
    resp.setHeader("Cache-Control", "private, max-age=300");
    resp.setHeader("ETag", "\"" + image.bodySha256() + "\"");
    resp.setContentLengthLong(image.image().length());
    try (InputStream in = image.image().open(0, image.image().length());
        OutputStream out = resp.getOutputStream()) {
      in.transferTo(out);
    }
  }

  private void stylesheet(HttpServletResponse resp) throws IOException {
    try (InputStream in = ConsoleServlet.class.getResourceAsStream("/console/console.css")) {
      if (in == null) {
        notFound(resp);
        return;
      }
      resp.setStatus(200);
      resp.setContentType("text/css;charset=utf-8");
      resp.setHeader("Cache-Control", "public, max-age=3600");
      in.transferTo(resp.getOutputStream());
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private String loginForm(String error) {
    return layout.page("Log in", "login", null,
        (error == null ? "" : "<p class=\"error\" id=\"login-error\">" + Html.escape(error)
            + "</p>")
            + "<form method=\"post\" action=\"" + Html.escape(layout.ui("login"))
            + "\" class=\"login\"><label>Admin token <input type=\"password\" name=\"token\""
            + " autocomplete=\"current-password\" required autofocus></label>"
            + "<label>Your name (recorded with your verdicts) <input name=\"who\""
            + " autocomplete=\"username\"></label><button>Log in</button></form>"
            + "<p class=\"note\">The token is the one Deja was started with"
            + " (<code>--admin-token</code> / <code>DEJA_ADMIN_TOKEN</code>).</p>");
  }

  /** Where a form asked to return: a console page, never another site. */
  private String back(HttpServletRequest req) {
    String back = req.getParameter("back");
    if (back == null || !back.startsWith(layout.ui("")) || back.contains("//")
        || back.contains("\\") || back.chars().anyMatch(c -> c < 0x20)) {
      return layout.ui("");
    }
    return back;
  }

  private String path(HttpServletRequest req) {
    String full = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
    return full.startsWith(prefix) ? full.substring(prefix.length()) : full;
  }

  private static void redirect(HttpServletResponse resp, String location) {
    resp.setStatus(303);
    resp.setHeader("Location", location);
  }

  private static void unauthorised(HttpServletResponse resp) throws IOException {
    resp.setHeader("WWW-Authenticate", "Bearer realm=\"deja\"");
    json(resp, 401, Map.of("error", "log in to the console or send the admin token as"
        + " Authorization: Bearer"));
  }

  private static void notFound(HttpServletResponse resp) throws IOException {
    json(resp, 404, Map.of("error", "not found"));
  }

  private static void json(HttpServletResponse resp, int status, Object body) throws IOException {
    JsonAnswer.send(resp, status, body);
  }
}
