package dev.deja.filter;

import dev.deja.db.Coordination;
import dev.deja.db.EntrySource;
import dev.deja.db.FlightClaims;
import dev.deja.db.NewAlias;
import dev.deja.db.NewEntry;
import dev.deja.db.PurgeCriteria;
import dev.deja.db.StoreOutcome;
import dev.deja.db.StoredResponse;
import dev.deja.filter.embed.Embedder;
import dev.deja.filter.text.Normalize;
import dev.deja.filter.http.OriginPolicy;
import dev.deja.filter.http.ClusterFlight;
import dev.deja.filter.http.SingleFlight;
import dev.deja.filter.lookup.CacheLookup;
import dev.deja.filter.lookup.Explanation;
import dev.deja.filter.lookup.LookupOptions;
import dev.deja.filter.lookup.LookupResult;
import dev.deja.filter.lookup.SemanticRollout;
import dev.deja.filter.match.SemanticMatcher;
import dev.deja.filter.request.ParsedRequest.Cacheable;
import dev.deja.filter.request.ParsedRequest;
import dev.deja.filter.request.RequestParser;
import dev.deja.filter.store.BackgroundExecutors;
import dev.deja.filter.store.ByteBudget;
import dev.deja.db.CacheStore;
import dev.deja.filter.store.CacheMaintainer;
import dev.deja.filter.store.CircuitBreaker;
import dev.deja.filter.store.HotCache;
import dev.deja.filter.store.HotTierCoherence;
import dev.deja.filter.store.StoreWriter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Supplier;

/**
 * The cache itself, independent of HTTP: parse, look up, and store. {@link DejaFilter} adapts it
 * to the Servlet API; the standalone server's admin API uses it for {@code explain} and
 * invalidation.
 */
public final class DejaCache implements AutoCloseable {

  private final DejaConfig config;
  private final CacheStore store;
  private final Embedder embedder;
  private final SemanticMatcher matcher;
  private final Clock clock;
  private final RequestParser parser;
  private final HotCache hot;
  private final CircuitBreaker breaker;
  private final CacheLookup lookup;
  private final StoreWriter writer;
  private final SingleFlight flights;
  private final ClusterFlight clusterFlight;
  private final ByteBudget budget;
  private final SemanticRollout rollout;
  /** Misses in empty partitions waiting for their vector; beyond this the store embeds itself. */
  private static final int EMBED_AHEAD_QUEUE = 64;

  private final ThreadPoolExecutor embedAhead;
  private final OriginPolicy originPolicy;
  private final DejaMetrics metrics;
  private final List<AutoCloseable> owned;
  private final HotTierCoherence coherence;
  private final CacheMaintainer maintainer;
  private final Supplier<Optional<String>> startup;

  private DejaCache(Builder b) {
    this.config = b.config;
    this.store = b.store;
    this.embedder = b.embedder;
    this.matcher = b.matcher;
    this.clock = b.clock;
    this.parser = new RequestParser(config.rules());
    this.flights =
        new SingleFlight(
            config.singleFlightMaxWaiters(), config.singleFlightTimeout(), System::nanoTime);
    this.hot = new HotCache(config.hotCacheBytes(), config.hotCacheLifetime(),
        store.readStaleness());
    // Never more than a quarter of the heap, whatever was configured: the budget exists to keep
    // a burst of large images from exhausting the heap, not to be sized by hand per deployment.
    this.budget =
        new ByteBudget(Math.min(config.memoryBudgetBytes(), Runtime.getRuntime().maxMemory() / 4));
    this.rollout =
        new SemanticRollout(config.semanticShadow(), config.semanticRolloutPercent());
    this.embedAhead = BackgroundExecutors.bounded("deja-embed-ahead", 1, EMBED_AHEAD_QUEUE);
    this.breaker =
        new CircuitBreaker(config.breakerFailures(), config.breakerOpen(), System::nanoTime);
    this.lookup =
        new CacheLookup(
            store,
            hot,
            embedder,
            matcher,
            breaker,
            config.semantic(),
            config.unseeded(),
            config.candidates(),
            clock,
            config.staleIfError(),
            embedAhead);
    this.writer = new StoreWriter(store, config.storeThreads(), config.storeQueue(), clock);
    this.clusterFlight =
        new ClusterFlight(b.claims, flights, config.clusterFlightWait(), store::findExact,
            () -> breaker.state() == CircuitBreaker.State.CLOSED, System::nanoTime);
    this.originPolicy = new OriginPolicy(config.defaultTtl(), config.staleIfError());
    this.metrics = new DejaMetrics(b.registry);
    this.owned = List.copyOf(b.owned);
    this.startup = b.startup;
    this.coherence = new HotTierCoherence(hot, b.coordination, store::afterDeletion);
    this.maintainer =
        new CacheMaintainer(store, b.coordination, coherence, config.staleIfError(),
            config.maxCacheBytes(), config.maintenanceInterval());
    registerGauges(b.registry);
    coherence.start();
    maintainer.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  public DejaConfig config() {
    return config;
  }

  /** Parses a request; see {@link RequestParser#parse}. */
  public ParsedRequest parse(String method, String pathInContext, String rawQuery, String tenant) {
    return parser.parse(method, pathInContext, rawQuery, tenant);
  }

  /** Exact, then semantic lookup. Never throws for store or model failures. */
  public LookupResult lookup(Cacheable request, LookupOptions options) {
    LookupResult result = lookup.lookup(request, options);
    metrics.lookup(lookupOutcome(result));
    metrics.record(metrics.lookup, result.timings().lookupNanos());
    metrics.record(metrics.embedding, result.timings().embedNanos());
    metrics.record(metrics.search, result.timings().searchNanos());
    return result;
  }

  private static String lookupOutcome(LookupResult result) {
    if (result instanceof LookupResult.ExactHit) {
      return "exact";
    }
    if (result instanceof LookupResult.SemanticHit) {
      return "semantic";
    }
    String unavailable = ((LookupResult.Miss) result).unavailable();
    if (unavailable == null) {
      return "miss";
    }
    return CacheLookup.storeUnavailable(unavailable) ? "unavailable" : "error";
  }

  /**
   * What the cache would do for this request, without calling the origin: the real lookup's
   * decision and the {@code k} nearest neighbours with the matcher's verdicts.
   *
   * @throws RuntimeException when the store or model fail while listing neighbours
   */
  public Explanation explain(Cacheable request, LookupOptions options, int k) {
    LookupResult decision = lookup.lookup(request, options);
    return new Explanation(
        decision, lookup.neighbours(request, lookup.effectiveThreshold(options), k));
  }

  /** The effective threshold for these options (a request may only tighten it). */
  public double threshold(LookupOptions options) {
    return lookup.effectiveThreshold(options);
  }

  /**
   * Counts a cacheable request in the metrics and the daily statistics.
   *
   * @param status {@code hit}, {@code miss} or {@code bypass}
   * @param type {@code exact}, {@code semantic}, {@code collapsed}, {@code unavailable} (the
   *     store could not be asked), {@code shadow} (a semantic hit not served) or {@code none}
   */
  void count(String status, String type) {
    metrics.request(status, type);
    writer.recordOutcome(
        switch (status) {
          case "hit" ->
              type.equals("semantic")
                  ? StoreWriter.Outcome.SEMANTIC_HIT
                  : StoreWriter.Outcome.EXACT_HIT;
          case "bypass" -> StoreWriter.Outcome.BYPASS;
          default -> StoreWriter.Outcome.MISS;
        });
  }

  /** The fresh in-memory image for {@code key}, or null. */
  StoredResponse hotImage(String key) {
    return hot.get(key, clock.instant());
  }

  SingleFlight flights() {
    return flights;
  }

  /** Single flight across instances: the local leader's claim on the key. */
  ClusterFlight clusterFlight() {
    return clusterFlight;
  }

  /** Which semantic hits are served (shadow mode, percentage rollout). */
  SemanticRollout rollout() {
    return rollout;
  }

  /** The bytes captures and queued stores may hold together. */
  ByteBudget budget() {
    return budget;
  }

  OriginPolicy originPolicy() {
    return originPolicy;
  }

  DejaMetrics metrics() {
    return metrics;
  }

  Clock clock() {
    return clock;
  }

  /** Counts a served hit; a semantic hit also records an alias so the request is exact next time. */
  void served(Cacheable request, LookupResult hit) {
    if (hit instanceof LookupResult.SemanticHit s) {
      writer.recordHit(s.image().cacheKey(), true);
      hot.putRead(
          request.key().value(),
          s.image().asAliasOf(s.candidate().cacheKey(), s.candidate().similarity()),
          s.readStarted());
      NewAlias alias =
          new NewAlias(
              request.key().value(),
              s.candidate().cacheKey(),
              s.candidate().similarity(),
              request.stored(Normalize.forEmbedding(request.request().prompt())),
              null, // an alias is never a semantic candidate, so it has no embedding model
              s.image().expiresAt());
      String key = request.key().value();
      writer.submit("alias " + request.key(), () -> {
        if (store.storeAlias(alias) == StoreOutcome.MARKED_WRONG) {
          // An operator marked this very pair wrong while the hit was on its way: the alias kept
          // in memory above must not go on answering as an exact hit.
          hot.invalidateEntry(key);
        }
      });
    } else if (hit instanceof LookupResult.ExactHit e) {
      writer.recordHit(e.image().cacheKey(), false);
    }
  }

  /** As {@link #keep(Cacheable, float[], String, Map, byte[], String, boolean,
   * ByteBudget.Reservation, Consumer)}, for a caller that holds no flight claim. */
  StoredResponse keep(Cacheable request, float[] embedding, String contentType,
      Map<String, List<String>> headers, byte[] body, String cacheControl, boolean replace,
      ByteBudget.Reservation held) {
    return keep(request, embedding, contentType, headers, body, cacheControl, replace, held,
        inStore -> {});
  }

  /**
   * Keeps a complete, storable origin answer: in memory at once (so the very next request is an
   * exact hit), in the store in the background.
   *
   * @param embedding the prompt's vector from the lookup, or null to compute it in the background
   * @param held the budget bytes that hold {@code body}; closed once the store is done with it
   * @param landed told, once the store is done, whether the entry is in the store (stored now or
   *     already there)
   * @return the image as it will be served from the cache
   */
  StoredResponse keep(
      Cacheable request,
      float[] embedding,
      String contentType,
      Map<String, List<String>> headers,
      byte[] body,
      String cacheControl,
      boolean replace,
      ByteBudget.Reservation held,
      Consumer<Boolean> landed) {
    try {
      Instant now = clock.instant();
      Instant expiresAt = originPolicy.expiresAt(cacheControl, now);
      String key = request.key().value();
      // Only allow-listed origin headers are kept: the rest belonged to the exchange that drew it.
      Map<String, List<String>> stored = config.storedHeaders().retain(headers);
      StoredResponse image =
          new StoredResponse(
              key, 200, contentType, stored, body, now, expiresAt, EntrySource.ORIGIN,
              request.request().prompt(), request.partition().bucket(), null, null, null);
      if (replace) {
        hot.invalidateEntry(key); // its aliases pointed at the image being replaced
      }
      hot.put(key, image);
      // When the store already holds another image under this key (another instance stored it
      // while our lookup failed open), the in-memory copy goes: this instance must not serve
      // bytes that contradict the store. A write that merely failed leaves nothing to contradict,
      // so its image stays an exact hit here.
      AtomicBoolean refused = new AtomicBoolean();
      AtomicBoolean inStore = new AtomicBoolean();
      AutoCloseable done =
          () -> {
            try {
              if (refused.get()) {
                hot.forget(key, image);
              }
            } finally {
              try {
                held.close();
              } finally {
                landed.accept(inStore.get()); // waiters on other instances read it, or go on
              }
            }
          };
      Runnable task =
          () -> {
            float[] vector = embedding;
            if (vector == null && embedder != null && config.semantic()) {
              vector = embedder.embed(request.request().prompt()).orElse(null);
            }
            StoreOutcome outcome = store.store(
                new NewEntry(
                    key,
                    request.stored(Normalize.forEmbedding(request.request().prompt())),
                    vector,
                    // only a vector has a model: an entry without one is exact-only
                    vector == null || embedder == null ? null : embedder.modelId(),
                    200,
                    contentType,
                    stored,
                    expiresAt),
                body,
                replace);
            refused.set(outcome == StoreOutcome.ALREADY_PRESENT);
            inStore.set(true);
          };
      writer.submit("store " + key, task, done);
      return image;
    } catch (RuntimeException | Error e) {
      held.close();
      landed.accept(false);
      throw e;
    }
  }

  /**
   * Deletes the entry stored under {@code key} and its aliases, from the store and from the
   * in-memory tier of every instance sharing the store (within a second; see README, "Many
   * instances").
   *
   * @return whether an entry of that key existed
   * @throws dev.deja.db.CacheUnavailableException when the store cannot be reached
   */
  public boolean delete(String key) {
    boolean existed = store.delete(key);
    coherence.deleted(key);
    return existed;
  }

  /**
   * Deletes the entries matching {@code criteria}, with their aliases, from the store and from the
   * in-memory tier of every instance (one message, however many entries).
   *
   * @return entries deleted
   * @throws dev.deja.db.CacheUnavailableException when the store cannot be reached
   */
  public int purge(PurgeCriteria criteria) {
    int deleted = store.purge(criteria);
    coherence.purged(criteria);
    return deleted;
  }

  /** The maintenance job: expiry, byte budget and orphan sweeps, one instance per pass. */
  public CacheMaintainer maintenance() {
    return maintainer;
  }

  /** How this instance's in-memory tier hears about other instances' deletions. */
  public HotTierCoherence coherence() {
    return coherence;
  }

  /**
   * Why the cache cannot serve from its store yet, or empty when it can: a database or object
   * store that was unreachable at startup (requests pass through to the origin until it is back),
   * or a circuit breaker open after failures at run time.
   */
  public Optional<String> notReady() {
    Optional<String> reason = startup.get();
    if (reason.isPresent()) {
      return reason;
    }
    return breaker.state() == CircuitBreaker.State.CLOSED
        ? Optional.empty()
        : Optional.of("circuit breaker " + breaker.state().name().toLowerCase(java.util.Locale.ROOT)
            + " after database failures");
  }

  /**
   * Forgets a key in this instance's memory only, with every alias of it; {@link #delete} also
   * deletes it from the store and from every instance.
   */
  public void invalidate(String key) {
    hot.invalidateEntry(key);
  }

  /** Forgets every in-memory image (after a purge). */
  public void invalidateAll() {
    hot.invalidateAll();
  }

  public CircuitBreaker.State breakerState() {
    return breaker.state();
  }

  public Optional<Embedder> embedder() {
    return Optional.ofNullable(embedder);
  }

  public SemanticMatcher matcher() {
    return matcher;
  }

  public CacheStore store() {
    return store;
  }

  /** Writes queued or running in the background. */
  public int storeQueueDepth() {
    return writer.queueDepth();
  }

  public long storesDropped() {
    return writer.dropped();
  }

  /** Stops accepting stores and waits for queued ones; returns whether all finished in time. */
  public boolean drain(Duration timeout) {
    return writer.drain(timeout);
  }

  @Override
  public void close() {
    maintainer.close();
    embedAhead.shutdown();
    writer.close();
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(DejaCache.class).warn("Deja: closing {} failed", c, e);
      }
    }
  }

  private void registerGauges(MeterRegistry registry) {
    Gauge.builder("deja.store.queue.depth", writer, StoreWriter::queueDepth)
        .description("Background writes queued or running")
        .register(registry);
    FunctionCounter.builder("deja.store.dropped", writer, StoreWriter::dropped)
        .description("Stores dropped because the queue was full")
        .register(registry);
    FunctionCounter.builder("deja.store.failed", writer, StoreWriter::failed)
        .description("Background writes that failed")
        .register(registry);
    FunctionCounter.builder("deja.store.completed", writer, StoreWriter::completed)
        .description("Background writes completed")
        .register(registry);
    FunctionCounter.builder("deja.store.retried", writer, StoreWriter::retried)
        .description("Background writes retried because the store was unavailable")
        .register(registry);
    Gauge.builder("deja.memory.budget.used", budget, ByteBudget::used)
        .description("Bytes of origin answers held for storage (captures and store queue)")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("deja.memory.budget.limit", budget, ByteBudget::limit)
        .description("The memoryBudgetBytes setting")
        .baseUnit("bytes")
        .register(registry);
    FunctionCounter.builder("deja.memory.budget.refused", budget, ByteBudget::refused)
        .description("Origin answers not stored because the memory budget was spent")
        .register(registry);
    Gauge.builder("deja.breaker.open", breaker, b -> b.state() == CircuitBreaker.State.CLOSED ? 0 : 1)
        .description("1 while the circuit breaker keeps the database out of requests")
        .register(registry);
    Gauge.builder("deja.hot.entries", hot, HotCache::size)
        .description("Images held in the in-memory tier")
        .register(registry);
    Gauge.builder("deja.singleflight.inflight", flights, SingleFlight::inFlight)
        .description("Origin requests other identical requests are waiting for")
        .register(registry);
    // 0 while the listener reconnects: other instances' deletions do not reach this one's memory
    // then (it drops its tier once subscribed again); an alert on this covers a takedown's path.
    Gauge.builder("deja.invalidations.listening", coherence, c -> c.subscribed() ? 1 : 0)
        .description("1 while this instance hears the other instances' deletions")
        .register(registry);
    FunctionCounter.builder("deja.invalidations.received", coherence, HotTierCoherence::received)
        .description("Invalidation messages received from the instances sharing the store")
        .register(registry);
    FunctionCounter.builder("deja.invalidations.unsent", coherence, HotTierCoherence::unsent)
        .description("Invalidation messages that could not be sent to the other instances")
        .register(registry);
    FunctionCounter.builder("deja.hot.dropped", coherence, HotTierCoherence::drops)
        .description("In-memory tier dropped whole because invalidations may have been lost")
        .register(registry);
    FunctionCounter.builder("deja.maintenance.passes", maintainer, CacheMaintainer::passesLed)
        .tag("role", "leader")
        .description("Maintenance passes run by this instance, or skipped for another's lock")
        .register(registry);
    FunctionCounter.builder("deja.maintenance.passes", maintainer, CacheMaintainer::passesSkipped)
        .tag("role", "skipped")
        .description("Maintenance passes run by this instance, or skipped for another's lock")
        .register(registry);
    FunctionCounter.builder("deja.singleflight.abandoned", flights, SingleFlight::abandoned)
        .description("Flights never landed by their leader, replaced after singleFlightTimeout")
        .register(registry);
    FunctionCounter.builder("deja.singleflight.cluster.served", clusterFlight,
            ClusterFlight::served)
        .description("Misses answered with the image another instance fetched and stored")
        .register(registry);
    FunctionCounter.builder("deja.singleflight.cluster.timedout", clusterFlight,
            ClusterFlight::timedOut)
        .description("Waits for another instance that ended after clusterFlightWait")
        .register(registry);
  }

  /** Assembles a cache from its parts; store and matcher are required. */
  public static final class Builder {
    private DejaConfig config = DejaConfig.defaults();
    private CacheStore store;
    private Embedder embedder;
    private SemanticMatcher matcher;
    private MeterRegistry registry = new SimpleMeterRegistry();
    private Clock clock = Clock.systemUTC();
    private FlightClaims claims;
    private Coordination coordination = Coordination.alone();
    private Supplier<Optional<String>> startup = Optional::empty;
    private final java.util.ArrayList<AutoCloseable> owned = new java.util.ArrayList<>();

    private Builder() {}

    public Builder config(DejaConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    public Builder store(CacheStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The embedder; without one, only exact lookups run. */
    public Builder embedder(Embedder embedder) {
      this.embedder = embedder;
      return this;
    }

    public Builder matcher(SemanticMatcher matcher) {
      this.matcher = Objects.requireNonNull(matcher, "matcher");
      return this;
    }

    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Claims shared with the other instances of this cache, for single flight across them; without
     * them each instance collapses only its own identical misses.
     */
    public Builder flightClaims(FlightClaims claims) {
      this.claims = claims;
      return this;
    }

    /**
     * How this instance reaches the others sharing its store (deletions for their in-memory
     * tiers, the maintenance lock); by default it is {@link Coordination#alone() alone}. The
     * cache does not close it: pass it to {@link #closing} too when it should.
     */
    public Builder coordination(Coordination coordination) {
      this.coordination = Objects.requireNonNull(coordination, "coordination");
      return this;
    }

    /** Why the store is not usable yet (e.g. still connecting), for {@link #notReady()}. */
    public Builder startupState(Supplier<Optional<String>> reason) {
      this.startup = Objects.requireNonNull(reason, "reason");
      return this;
    }

    /** Resources the cache closes when it is closed (store, embedder, database). */
    public Builder closing(AutoCloseable resource) {
      owned.add(Objects.requireNonNull(resource, "resource"));
      return this;
    }

    public DejaCache build() {
      if (store == null) {
        throw new IllegalStateException("DejaCache needs a store");
      }
      if (matcher == null) {
        throw new IllegalStateException("DejaCache needs a semantic matcher");
      }
      return new DejaCache(this);
    }
  }
}
