package dev.deja.server;

import dev.deja.db.CacheStats;
import dev.deja.db.PurgeCriteria;
import dev.deja.filter.DejaCache;
import dev.deja.filter.embed.Embedder;
import dev.deja.filter.lookup.Explanation;
import dev.deja.filter.settings.InvalidSettingException;
import dev.deja.filter.settings.SettingTypes;
import dev.deja.server.console.AdminToken;
import dev.deja.server.console.Explainer;
import dev.deja.server.console.JsonAnswer;
import dev.deja.db.CacheMaintenance;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under the configured prefix ({@code /_deja} by default).
 *
 * <p>Public: {@code GET health}, {@code GET health/ready}, {@code GET metrics}. Token, or public
 * with {@code --public-explain}: {@code GET stats}, {@code GET explain}. Token only, and off when
 * no token is configured: {@code DELETE entries/{key}}, {@code POST purge}. The operator console
 * ({@code ui/}, {@code feedback}, {@code feedback.tsv}) is {@link
 * dev.deja.server.console.ConsoleServlet}, mapped beside this servlet.
 */
final class AdminServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(AdminServlet.class);
  /** Neighbours {@code explain} shows. */
  static final int EXPLAIN_NEIGHBOURS = Explainer.NEIGHBOURS;

  private final transient ServerConfig config;
  private final transient DejaCache cache;
  private final transient PrometheusMeterRegistry registry;
  private final transient CacheMaintenance store;
  private final transient CacheSize size;
  private final transient AdminToken token;
  private final transient Explainer explainer;

  AdminServlet(
      ServerConfig config,
      DejaCache cache,
      PrometheusMeterRegistry registry,
      CacheMaintenance store,
      CacheSize size) {
    this.config = config;
    this.cache = cache;
    this.registry = registry;
    this.store = store;
    this.size = size;
    this.token = AdminToken.of(config.adminToken());
    this.explainer = new Explainer(cache);
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = path(req);
    switch (path) {
      case "/health" -> json(resp, 200, Map.of("status", "UP"));
      case "/health/ready" -> ready(resp);
      case "/metrics" -> metrics(resp);
      case "/stats" -> {
        if (readAllowed(req, resp)) {
          stats(resp);
        }
      }
      case "/explain" -> {
        if (readAllowed(req, resp)) {
          explain(req, resp);
        }
      }
      default -> notFound(resp, path);
    }
  }

  @Override
  protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = path(req);
    if (!path.startsWith("/entries/") || path.length() <= "/entries/".length()) {
      notFound(resp, path);
      return;
    }
    if (!mutationAllowed(req, resp)) {
      return;
    }
    String key = path.substring("/entries/".length());
    boolean deleted = cache.delete(key); // and from every instance's in-memory tier
    size.refreshSoon();
    LOG.info("Deja admin: delete entry {} -> {}", key, deleted ? "deleted" : "not found");
    json(resp, deleted ? 200 : 404, Map.of("key", key, "deleted", deleted));
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = path(req);
    if (!path.equals("/purge")) {
      notFound(resp, path);
      return;
    }
    if (!mutationAllowed(req, resp)) {
      return;
    }
    String model = blankToNull(req.getParameter("model"));
    String bucket = blankToNull(req.getParameter("bucket"));
    String olderThan = blankToNull(req.getParameter("olderThan"));
    Instant before = null;
    if (olderThan != null) {
      before = olderThan(olderThan);
      if (before == null) {
        error(resp, 400, "olderThan must be a duration (30s, 2h, 7d, P7D) or an ISO-8601 instant");
        return;
      }
    }
    if (model == null && bucket == null && before == null) {
      error(resp, 400, "purge needs at least one of model, bucket, olderThan");
      return;
    }
    int deleted = cache.purge(new PurgeCriteria(model, bucket, before));
    size.refreshSoon();
    LOG.info("Deja admin: purge model={} bucket={} olderThan={} -> {} entries", model, bucket,
        olderThan, deleted);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("deleted", deleted);
    body.put("model", model);
    body.put("bucket", bucket);
    body.put("createdBefore", before == null ? null : before.toString());
    json(resp, 200, body);
  }

  // --- endpoints -----------------------------------------------------------------------------

  private void ready(HttpServletResponse resp) throws IOException {
    Map<String, Object> checks = new LinkedHashMap<>();
    boolean up = true;
    try {
      store.stats();
      checks.put("database", "UP");
    } catch (RuntimeException e) {
      up = false;
      checks.put("database", "DOWN: " + e.getMessage());
    }
    if (cache.config().semantic()) {
      boolean model = cache.embedder().isPresent();
      up &= model;
      checks.put("model", model ? "UP" : "DOWN: no embedder");
    } else {
      checks.put("model", "DISABLED");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", up ? "UP" : "DOWN");
    body.put("checks", checks);
    json(resp, up ? 200 : 503, body);
  }

  private void metrics(HttpServletResponse resp) throws IOException {
    resp.setStatus(200);
    resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
    resp.getWriter().write(registry.scrape());
  }

  private void stats(HttpServletResponse resp) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    try {
      CacheStats s = store.stats();
      body.put("entries", s.entries());
      body.put("aliases", s.aliases());
      body.put("blobs", s.blobs());
      body.put("bytes", s.blobBytes());
    } catch (RuntimeException e) {
      body.put("database", "DOWN: " + e.getMessage());
    }
    body.put("breaker", cache.breakerState().name());
    body.put("storeQueueDepth", cache.storeQueueDepth());
    body.put("storesDropped", cache.storesDropped());
    body.put("model", cache.embedder().map(Embedder::modelId).orElse(null));
    body.put("preset", cache.config().preset());
    body.put("threshold", cache.matcher().threshold());
    body.put("maxCacheBytes", config.maxCacheBytes());
    json(resp, 200, body);
  }

  /** What the cache would do for {@code GET /prompt/{prompt}?...}, without calling the origin. */
  private void explain(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String prompt = req.getParameter("prompt");
    if (prompt == null || prompt.isBlank()) {
      error(resp, 400, "explain needs ?prompt=... (plus width, height, seed, model as usual)");
      return;
    }
    String tenantHeader = cache.config().rules().tenantHeader();
    Explainer.Result r = explainer.explain(prompt, req.getQueryString(),
        tenantHeader == null ? null : req.getHeader(tenantHeader));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("prompt", prompt);
    if (r.cacheable()) {
      body.put("key", r.key());
      body.put("bucket", r.bucket());
      body.put("model", r.model());
      body.put("seeded", r.seeded());
      body.put("threshold", r.threshold());
    }
    body.put("verdict", r.verdict());
    body.put("reason", r.reason());
    if (r.matchedKey() != null) {
      body.put("matchedKey", r.matchedKey());
      body.put("similarity", r.similarity());
    }
    if (r.cacheable() && !r.reason().startsWith("cache-unavailable")) {
      List<Map<String, Object>> neighbours = new ArrayList<>();
      for (Explanation.Neighbour n : r.neighbours()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("key", n.key());
        row.put("prompt", n.prompt());
        row.put("similarity", n.similarity());
        row.put("accepted", n.accepted());
        row.put("reason", n.reason());
        neighbours.add(row);
      }
      body.put("neighbours", neighbours);
    }
    json(resp, 200, body);
  }

  // --- access --------------------------------------------------------------------------------

  private boolean readAllowed(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (config.publicExplain()) {
      return true;
    }
    if (!token.configured()) {
      error(resp, 403, "explain and stats need --admin-token (or --public-explain)");
      return false;
    }
    return authorised(req, resp);
  }

  private boolean mutationAllowed(HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    if (!token.configured()) {
      error(resp, 403, "admin mutations are off: start the server with --admin-token");
      return false;
    }
    return authorised(req, resp);
  }

  private boolean authorised(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (token.bearerMatches(req)) {
      return true;
    }
    resp.setHeader("WWW-Authenticate", "Bearer realm=\"deja\"");
    error(resp, 401, "missing or wrong bearer token");
    return false;
  }

  // --- helpers -------------------------------------------------------------------------------

  private static String path(HttpServletRequest req) {
    String p = req.getPathInfo();
    if (p == null || p.isEmpty()) {
      return "/";
    }
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private static Instant olderThan(String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      try {
        // The settings' duration grammar, so olderThan reads like every other duration.
        return Instant.now().minus(SettingTypes.duration("olderThan", value));
      } catch (InvalidSettingException notADuration) {
        return null;
      }
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static void notFound(HttpServletResponse resp, String path) throws IOException {
    error(resp, 404, "no admin endpoint " + path);
  }

  private static void error(HttpServletResponse resp, int status, String message)
      throws IOException {
    json(resp, status, Map.of("error", message));
  }

  private static void json(HttpServletResponse resp, int status, Object body) throws IOException {
    JsonAnswer.send(resp, status, body);
  }
}
