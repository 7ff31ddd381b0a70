package dev.deja.db;

import dev.deja.db.internal.PostgresCacheRepository;
import dev.deja.db.objects.ObjectStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache database that may be down when the application starts. {@link #open} tries once; when
 * the database cannot be reached it returns at once anyway, and keeps trying in the background.
 * Until it connects, its {@link #repository()} throws {@link CacheUnavailableException} like a
 * database that went down at run time, so callers fail open the same way: a restart during an
 * outage does not take image serving down.
 *
 * <p>A schema made for another embedding dimension is a configuration error, not an outage: it
 * still fails {@link #open}, and stops the background attempts when found later.
 */
public final class ReconnectingDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReconnectingDatabase.class);

  private final DatabaseConfig config;
  private final AtomicReference<DejaDatabase> database = new AtomicReference<>();
  private final CacheStore repository = new Deferred();
  private final FlightClaims claims = new DeferredClaims();
  private final ScheduledExecutorService retries;
  private volatile RuntimeException lastFailure;
  private volatile boolean closed;

  private ReconnectingDatabase(DatabaseConfig config, DejaDatabase opened, Duration retryEvery) {
    this.config = config;
    this.database.set(opened);
    if (opened != null) {
      this.retries = null;
      return;
    }
    this.retries =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "deja-db-reconnect");
              t.setDaemon(true);
              return t;
            });
    long millis = Math.max(1, retryEvery.toMillis());
    retries.scheduleWithFixedDelay(this::attempt, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Opens the database, or returns one that connects in the background when it is unreachable.
   *
   * @param retryEvery pause between background attempts
   * @throws SchemaMismatchException when the schema was made for another embedding dimension
   */
  public static ReconnectingDatabase open(DatabaseConfig config, Duration retryEvery) {
    Objects.requireNonNull(config, "config");
    try {
      return new ReconnectingDatabase(config, DejaDatabase.open(config), retryEvery);
    } catch (CacheUnavailableException e) {
      LOG.warn(
          "Deja: {} unreachable at startup ({}); serving from the origin without the cache and"
              + " retrying every {}",
          unreachablePart(config, e), e.getMessage(), retryEvery);
      ReconnectingDatabase db = new ReconnectingDatabase(config, null, retryEvery);
      db.lastFailure = e;
      return db;
    }
  }

  private void attempt() {
    if (closed || database.get() != null) {
      return;
    }
    try {
      DejaDatabase opened = DejaDatabase.open(config);
      if (closed || !database.compareAndSet(null, opened)) {
        opened.close();
        return;
      }
      LOG.info("Deja: cache database {} and images in {} reachable again; caching resumes",
          DatabaseConfig.maskUrl(config.url()), config.imageStore());
      retries.shutdown();
    } catch (SchemaMismatchException e) {
      lastFailure = e;
      LOG.error("Deja: cache database reachable but unusable, caching stays off: {}",
          e.getMessage());
      retries.shutdown();
    } catch (RuntimeException e) {
      lastFailure = e;
      LOG.debug("Deja: cache database still unreachable: {}", e.getMessage());
    }
  }

  /** The repository: the real one once connected; until then every call fails as unavailable. */
  public CacheStore repository() {
    return repository;
  }

  /** The flight claims: the real ones once connected; until then every call fails as unavailable. */
  public FlightClaims flightClaims() {
    return claims;
  }

  /** The configuration it opens the database with. */
  public DatabaseConfig config() {
    return config;
  }

  /** Whether the database has been opened (connected and migrated). */
  public boolean ready() {
    return database.get() != null;
  }

  /**
   * Why the database is not usable yet, or empty once it is open: the last connection failure
   * (the database, or the image store's bucket), or an unusable schema.
   */
  public Optional<String> notReady() {
    if (database.get() != null) {
      return Optional.empty();
    }
    RuntimeException failure = lastFailure;
    return Optional.of(failure == null ? "connecting" : failure.getMessage());
  }

  /** The opened database, if it is. */
  public Optional<DejaDatabase> database() {
    return Optional.ofNullable(database.get());
  }

  @Override
  public void close() {
    closed = true;
    if (retries != null) {
      retries.shutdownNow();
    }
    DejaDatabase db = database.getAndSet(null);
    if (db != null) {
      db.close();
    }
  }

  private CacheStore current() {
    return opened().repository();
  }

  private DejaDatabase opened() {
    DejaDatabase db = database.get();
    if (db == null) {
      // Whichever part failed to open is the one reported (Cache-Status detail, metrics).
      String component = lastFailure instanceof CacheUnavailableException cue
          ? cue.component() : "postgresql";
      throw new CacheUnavailableException(component, "connect", lastFailure);
    }
    return db;
  }

  /** What an open failed to reach, for the log: the database, or the bucket of the images. */
  private static String unreachablePart(DatabaseConfig config, CacheUnavailableException e) {
    if (ObjectStore.COMPONENT.equals(e.component())) {
      return "image store " + config.imageStore()
          + (config.s3Endpoint() == null ? "" : " at " + config.s3Endpoint());
    }
    return "cache database " + DatabaseConfig.maskUrl(config.url());
  }

  /** Delegates to the opened database's claims, or fails as unavailable. */
  private final class DeferredClaims implements FlightClaims {
    @Override
    public Optional<Claim> claim(String key, Duration ttl) {
      return opened().flightClaims().claim(key, ttl);
    }

    @Override
    public State state(String key) {
      return opened().flightClaims().state(key);
    }

    @Override
    public void land(Claim claim, boolean stored) {
      opened().flightClaims().land(claim, stored);
    }
  }

  /** Delegates to the opened database's repository, or fails as unavailable. */
  private final class Deferred implements CacheStore {
    @Override
    public void afterDeletion() {
      try {
        current().afterDeletion();
      } catch (CacheUnavailableException e) {
        // not connected yet: it reads nothing, from a replica or anywhere
      }
    }

    @Override
    public Duration readStaleness() {
      return PostgresCacheRepository.readStaleness(config); // known before the database opens
    }

    @Override
    public Optional<StoredResponse> findExactOrStale(String cacheKey, Duration staleFor) {
      return current().findExactOrStale(cacheKey, staleFor);
    }

    @Override
    public boolean hasCandidates(String bucket, String model, String embeddingModelId) {
      return current().hasCandidates(bucket, model, embeddingModelId);
    }

    @Override
    public List<Neighbor> findNearest(
        String bucket, String model, String embeddingModelId, float[] vector, int k) {
      return current().findNearest(bucket, model, embeddingModelId, vector, k);
    }

    @Override
    public StoreOutcome store(NewEntry entry, byte[] image, boolean replace) {
      return current().store(entry, image, replace);
    }

    @Override
    public StoreOutcome storeAlias(NewAlias alias) {
      return current().storeAlias(alias);
    }

    @Override
    public void recordHits(Collection<HitRecord> hits) {
      current().recordHits(hits);
    }

    @Override
    public void recordOutcomes(Collection<DailyCounts> counts) {
      current().recordOutcomes(counts);
    }

    @Override
    public boolean delete(String cacheKey) {
      return current().delete(cacheKey);
    }

    @Override
    public int purge(PurgeCriteria criteria) {
      return current().purge(criteria);
    }

    @Override
    public List<String> deleteExpired(Duration keepFor, int batchSize) {
      return current().deleteExpired(keepFor, batchSize);
    }

    @Override
    public List<String> evictToByteBudget(long budgetBytes, int batchSize) {
      return current().evictToByteBudget(budgetBytes, batchSize);
    }

    @Override
    public int deleteOrphanBlobs(int batchSize) {
      return current().deleteOrphanBlobs(batchSize);
    }

    @Override
    public int sweepUnreferencedObjects(int batchSize) {
      return current().sweepUnreferencedObjects(batchSize);
    }

    @Override
    public void maintainIndexes() {
      current().maintainIndexes();
    }

    @Override
    public int migrateImages(boolean toObjectStore, int batchSize) {
      return current().migrateImages(toObjectStore, batchSize);
    }

    @Override
    public ImagePlacement imagePlacement() {
      return current().imagePlacement();
    }

    @Override
    public CacheStats stats() {
      return current().stats();
    }

    /** The pool belongs to the database, closed with {@link ReconnectingDatabase#close()}. */
    @Override
    public void close() {}

    @Override
    public List<EntrySummary> list(EntryFilter filter, int limit, int offset) {
      return current().list(filter, limit, offset);
    }

    @Override
    public CacheAudit audit() {
      return current().audit();
    }
  }
}
