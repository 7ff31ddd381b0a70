package dev.deja.server;

import dev.deja.db.CacheUnavailableException;
import dev.deja.db.SchemaMismatchException;
import dev.deja.filter.DejaCache;
import dev.deja.filter.DejaFilter;
import dev.deja.filter.FilterSettings;
import dev.deja.filter.demo.DemoOriginServlet;
import dev.deja.filter.request.RequestRules;
import dev.deja.server.console.ConsoleServlet;
import dev.deja.server.console.OperatorVerdicts;
import dev.deja.db.CacheMaintenance;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Deja gateway: Jetty with the Deja filter in front of a streaming proxy to the origin,
 * the admin API; the cache runs its own maintenance (eviction). {@link #start(ServerConfig)} either returns a serving
 * instance or throws {@link ServerConfig.ConfigException} with a one-line reason, having released
 * everything it opened.
 */
public final class DejaServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DejaServer.class);
  /** The cache-size gauges and {@code stats} query the database at most this often. */
  static final Duration SIZE_MAX_AGE = Duration.ofSeconds(5);

  private final ServerConfig config;
  private final PrometheusMeterRegistry registry;
  private final DejaCache cache;
  private final Server server;
  private final Server demoServer;
  private final DemoOriginServlet demoOrigin;
  private final URI origin;
  private boolean stopped;

  private DejaServer(
      ServerConfig config,
      PrometheusMeterRegistry registry,
      DejaCache cache,
      Server server,
      Server demoServer,
      DemoOriginServlet demoOrigin,
      URI origin) {
    this.config = config;
    this.registry = registry;
    this.cache = cache;
    this.server = server;
    this.demoServer = demoServer;
    this.demoOrigin = demoOrigin;
    this.origin = origin;
  }

  /** Opens the cache, starts the origin stand-in if asked, and starts serving. */
  public static DejaServer start(ServerConfig config) {
    checkPortFree(config);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(latencyHistograms());
    OperatorVerdicts verdicts = new OperatorVerdicts();
    DejaCache cache = openCache(config, registry, verdicts);
    Server demoServer = null;
    DemoOriginServlet demoOrigin = null;
    Server server = null;
    try {
      URI origin = config.origin();
      if (config.demoOrigin()) {
        demoOrigin = new DemoOriginServlet(config.demoDelayMillis());
        demoServer =
            demoServer(
                demoOrigin,
                cache.config().rules(),
                RequestLimits.forPrompts(cache.config().rules().maxPromptChars()));
        origin = URI.create("http://127.0.0.1:" + port(demoServer));
      }
      CacheMaintenance store = cache.store();
      CacheSize size = new CacheSize(store, SIZE_MAX_AGE);
      size.register(registry);
      server = gateway(config, cache, registry, store, size, origin, verdicts);
      try {
        server.start();
      } catch (IOException e) {
        throw new ServerConfig.ConfigException(bindFailure(config, e));
      }
      DejaServer started =
          new DejaServer(config, registry, cache, server, demoServer, demoOrigin, origin);
      started.logSummary();
      return started;
    } catch (RuntimeException | Error e) {
      quietly(server);
      quietly(demoServer);
      cache.close();
      throw e;
    } catch (Exception e) {
      quietly(server);
      quietly(demoServer);
      cache.close();
      throw new ServerConfig.ConfigException("could not start: " + e);
    }
  }

  /** Deja's timers as Prometheus histograms (buckets), so latency quantiles aggregate across instances. */
  private static io.micrometer.core.instrument.config.MeterFilter latencyHistograms() {
    return new io.micrometer.core.instrument.config.MeterFilter() {
      @Override
      public io.micrometer.core.instrument.distribution.DistributionStatisticConfig configure(
          io.micrometer.core.instrument.Meter.Id id,
          io.micrometer.core.instrument.distribution.DistributionStatisticConfig config) {
        if (id.getType() == io.micrometer.core.instrument.Meter.Type.TIMER
            && id.getName().startsWith("deja.")) {
          return io.micrometer.core.instrument.distribution.DistributionStatisticConfig.builder()
              .percentilesHistogram(true)
              .minimumExpectedValue(100_000.0) // 0.1 ms
              .maximumExpectedValue(300_000_000_000.0) // 300 s
              .build()
              .merge(config);
        }
        return config;
      }
    };
  }

  /** Fails fast on a taken port, before the (slow) model and database are opened. */
  static void checkPortFree(ServerConfig config) {
    if (config.port() == 0) {
      return;
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(config.host(), config.port()));
    } catch (IOException e) {
      throw new ServerConfig.ConfigException(bindFailure(config, e));
    }
  }

  private static DejaCache openCache(ServerConfig config, PrometheusMeterRegistry registry,
      OperatorVerdicts verdicts) {
    try {
      return FilterSettings.of(config.filterSettings()).open(registry, verdicts::guard);
    } catch (SchemaMismatchException e) {
      throw new ServerConfig.ConfigException("embedding model does not fit the database: "
          + e.getMessage());
    } catch (CacheUnavailableException e) {
      throw new ServerConfig.ConfigException("database " + maskUrl(config.dbUrl()) + " is unreachable: "
          + rootMessage(e));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ServerConfig.ConfigException(e.getMessage());
    }
  }

  private static Server gateway(
      ServerConfig config,
      DejaCache cache,
      PrometheusMeterRegistry registry,
      CacheMaintenance store,
      CacheSize size,
      URI origin,
      OperatorVerdicts verdicts) {
    QueuedThreadPool threads = new QueuedThreadPool(200, 8);
    threads.setName("deja");
    Server server = new Server(threads);
    RequestLimits limits = RequestLimits.forPrompts(cache.config().rules().maxPromptChars());
    org.eclipse.jetty.server.HttpConfiguration http = httpConfiguration(limits);
    ServerConnector connector =
        new ServerConnector(server, new org.eclipse.jetty.server.HttpConnectionFactory(http));
    connector.setHost(config.host());
    connector.setPort(config.port());
    server.addConnector(connector);
    server.setStopTimeout(config.shutdownTimeout().toMillis());
    server.setStopAtShutdown(false);
    server.setRequestLog(new DebugRequestLog());

    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder filter = new FilterHolder(new DejaFilter(cache));
    filter.setName("deja");
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addFilter(new FilterHolder(new NoTraceFilter()), config.adminPrefix() + "/*",
        EnumSet.of(DispatcherType.REQUEST));

    ServletHolder admin =
        new ServletHolder("deja-admin", new AdminServlet(config, cache, registry, store, size));
    context.addServlet(admin, config.adminPrefix() + "/*");
    ServletHolder console = new ServletHolder("deja-console",
        new ConsoleServlet(config.adminPrefix(), config.adminToken(), cache, registry, verdicts));
    context.addServlet(console, config.adminPrefix() + "/ui/*");
    context.addServlet(console, config.adminPrefix() + "/feedback");
    context.addServlet(console, config.adminPrefix() + "/feedback.tsv");

    ServletHolder proxy =
        new ServletHolder("origin-proxy", new OriginProxyServlet(config.connectTimeout(), limits, registry));
    proxy.setAsyncSupported(true);
    proxy.setInitParameter("proxyTo", origin.toString());
    proxy.setInitParameter("timeout", Long.toString(config.originTimeout().toMillis()));
    proxy.setInitParameter("idleTimeout", Long.toString(config.idleTimeout().toMillis()));
    proxy.setInitParameter("maxConnections", Integer.toString(config.maxConnections()));
    if (config.passThroughOtherPaths()) {
      context.addServlet(proxy, "/*");
    } else {
      // Only the cached routes reach the origin; anything else is not this gateway's business.
      onRoutes(context, proxy, cache.config().rules());
      context.addServlet(new ServletHolder("not-fronted", new NotFrontedServlet()), "/");
    }

    server.setHandler(new GracefulHandler(context));
    return server;
  }

  /**
   * The HTTP rules of the gateway, and of the demo origin behind it: the origin must accept every
   * request the gateway forwards.
   */
  private static org.eclipse.jetty.server.HttpConfiguration httpConfiguration(
      RequestLimits limits) {
    org.eclipse.jetty.server.HttpConfiguration http =
        new org.eclipse.jetty.server.HttpConfiguration();
    http.setSendServerVersion(false);
    // Real prompts contain '/' and '%' ("f/1.8", "100%"), sent as %2F and %25, which Jetty's
    // default compliance refuses as ambiguous (400). Exactly those two are allowed: the filter
    // keys the raw path decoded once and the proxy forwards it still encoded. Encoded dot
    // segments, ;parameters and '//' stay refused.
    http.setUriCompliance(
        org.eclipse.jetty.http.UriCompliance.DEFAULT.with(
            "DEJA",
            org.eclipse.jetty.http.UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            org.eclipse.jetty.http.UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
    http.setRequestHeaderSize(limits.requestHeaderBytes());
    return http;
  }

  /** The demo origin, answering on the cache's routes, as the real image API would. */
  private static Server demoServer(
      DemoOriginServlet servlet, RequestRules rules, RequestLimits limits) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("deja-demo-origin");
    Server demo = new Server(threads);
    ServerConnector connector =
        new ServerConnector(
            demo, new org.eclipse.jetty.server.HttpConnectionFactory(httpConfiguration(limits)));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    demo.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    onRoutes(context, new ServletHolder("demo-origin", servlet), rules);
    // It reads the decoded path: let "f%2F1.8" decode to "f/1.8" instead of failing.
    context.getServletHandler().setDecodeAmbiguousURIs(true);
    demo.setHandler(context);
    demo.start();
    return demo;
  }

  /** Maps {@code holder} on every cached route: one holder, one mapping per route. */
  private static void onRoutes(
      ServletContextHandler context, ServletHolder holder, RequestRules rules) {
    for (String route : rules.pathPrefixes()) {
      context.addServlet(holder, route + "*");
    }
  }

  private static int port(Server server) {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  private static String bindFailure(ServerConfig config, IOException e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof BindException) {
        return "cannot listen on " + config.host() + ":" + config.port()
            + ": port already in use or not permitted";
      }
      t = t.getCause();
    }
    return "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage();
  }

  private void logSummary() {
    LOG.info(
        "Deja started: port={} origin={} db={} schema={} model={} preset={} threshold={}"
            + " admin={} token={} explain={} maxCacheBytes={} eviction={}",
        port(),
        config.demoOrigin() ? origin + " (demo, delay " + config.demoDelayMillis() + "ms)" : origin,
        maskUrl(config.dbUrl()),
        config.filterSettings().get("db.schema"),
        cache.embedder().map(e -> e.modelId()).orElse("none (exact only)"),
        cache.config().preset(),
        cache.matcher().threshold(),
        config.adminPrefix(),
        config.adminToken() == null ? "none (mutations off)" : "set",
        config.publicExplain() ? "public" : "token",
        config.maxCacheBytes() == null ? "unbounded" : config.maxCacheBytes(),
        config.evictionInterval());
  }

  /** Masks a password given inside a JDBC URL. */
  static String maskUrl(String url) {
    return dev.deja.db.DatabaseConfig.maskUrl(url);
  }

  /** The port the gateway listens on (the bound one when started with port 0). */
  public int port() {
    return port(server);
  }

  public DejaCache cache() {
    return cache;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The built-in origin when started with {@code --demo-origin}, else null. */
  public DemoOriginServlet demoOrigin() {
    return demoOrigin;
  }

  /**
   * Graceful stop: stop accepting, let in-flight requests finish (up to the shutdown timeout),
   * write what the store queue still holds, then close the database and the model.
   */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    long began = System.nanoTime();
    cache.maintenance().close();
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("Deja: stopping the HTTP server failed: {}", e.toString());
    }
    long left =
        Math.max(
            1000,
            config.shutdownTimeout().toMillis()
                - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    int queued = cache.storeQueueDepth();
    if (!cache.drain(Duration.ofMillis(left))) {
      LOG.warn("Deja: {} stores still queued at shutdown were abandoned", cache.storeQueueDepth());
    } else if (queued > 0) {
      LOG.info("Deja: wrote {} queued stores before shutdown", queued);
    }
    cache.close();
    quietly(demoServer);
    registry.close();
    LOG.info("Deja stopped");
  }

  @Override
  public void close() {
    stop();
  }

  private static void quietly(Server s) {
    if (s != null) {
      try {
        s.stop();
      } catch (Exception e) {
        LOG.debug("stopping {} failed", s, e);
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }
}
