package dev.deja.db.internal;

import dev.deja.db.CacheAudit;
import dev.deja.db.CacheStore;
import dev.deja.db.CacheStats;
import dev.deja.db.DailyCounts;
import dev.deja.db.DatabaseConfig;
import dev.deja.db.EntryFilter;
import dev.deja.db.EntrySummary;
import dev.deja.db.FlightClaims;
import dev.deja.db.HitRecord;
import dev.deja.db.ImagePlacement;
import dev.deja.db.Neighbor;
import dev.deja.db.NewAlias;
import dev.deja.db.NewEntry;
import dev.deja.db.PurgeCriteria;
import dev.deja.db.StoreOutcome;
import dev.deja.db.StoredResponse;
import dev.deja.db.objects.ObjectStore;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The PostgreSQL + pgvector repository: a facade over one class per job, so each job can be read
 * (and held to its rules) on its own. {@link Lookups} and {@link Writes} are the data plane,
 * hand-written JDBC on the request path; {@link Maintenance} is the management plane. They share
 * the pools and time budgets ({@link BoundConnections}) and the partition-size cache.
 */
public final class PostgresCacheRepository implements CacheStore {

  /** See {@link Lookups#HNSW_PARTITION_THRESHOLD}; public for the benchmarks and docs. */
  public static final int HNSW_PARTITION_THRESHOLD = Lookups.HNSW_PARTITION_THRESHOLD;

  private final PartitionIndexes indexes;
  private final Lookups lookups;
  private final Writes writes;
  private final Maintenance maintenance;
  private final ImageMigration migration;
  private final CacheAudit audit;
  private final PostgresFlightClaims claims;
  private final ReplicaReads replicas;
  private final Duration sweepGrace;
  private final Duration readStaleness;

  /**
   * @param lookupPool connections for the request path's reads only, each opened with {@link
   *     #lookupSessionSql} and in auto-commit
   * @param storePool connections for stores and the management plane ({@code emf} uses it too)
   * @param objects the object store images are written to and read from, or {@code null} when
   *     images live in PostgreSQL only
   */
  public PostgresCacheRepository(DataSource lookupPool, DataSource storePool,
      EntityManagerFactory emf, DatabaseConfig config, ObjectStore objects) {
    this(lookupPool, null, storePool, emf, config, objects);
  }

  /**
   * As the other constructor, with lookups on a read replica while it lags the primary by at most
   * {@link DatabaseConfig#readMaxLag()} (see {@link ReplicaReads}).
   *
   * @param replicaPool the replica's lookup pool, opened like {@code lookupPool}, or {@code null}
   */
  public PostgresCacheRepository(DataSource lookupPool, DataSource replicaPool,
      DataSource storePool, EntityManagerFactory emf, DatabaseConfig config,
      ObjectStore objects) {
    Objects.requireNonNull(lookupPool, "lookupPool");
    Objects.requireNonNull(storePool, "storePool");
    Objects.requireNonNull(emf, "emf");
    Objects.requireNonNull(config, "config");
    this.replicas = replicaPool == null ? null
        : new ReplicaReads(replicaPool, lookupPool, config.readMaxLag());
    BoundConnections connections =
        new BoundConnections(lookupPool, replicas, storePool, config);
    PartitionSizes partitionSizes = new PartitionSizes();
    ObjectImages images = new ObjectImages(objects, connections);
    this.indexes = new PartitionIndexes(config);
    this.lookups = new Lookups(connections, partitionSizes, indexes, images, config);
    this.writes = new Writes(connections, images, config);
    this.maintenance = new Maintenance(connections, emf, partitionSizes, images);
    this.migration = new ImageMigration(connections, images);
    this.audit = new PostgresCacheAudit(connections);
    this.claims = new PostgresFlightClaims(connections);
    this.sweepGrace = config.objectSweepGrace();
    this.readStaleness = readStaleness(config);
  }

  @Override
  public CacheAudit audit() {
    return audit;
  }

  /**
   * The SQL a lookup-pool connection runs once when opened (the pool's init SQL): the lookup
   * budget and the planner settings that lookups would otherwise send before every query.
   */
  public static String lookupSessionSql(DatabaseConfig config) {
    return BoundConnections.lookupSessionSql(config);
  }

  /**
   * {@link CacheStore#readStaleness()} of a store opened with {@code config}: with a read replica,
   * {@link DatabaseConfig#readMaxLag()} plus one lag check (how stale a replica judged fresh can
   * get before the next check); the primary's reads see every committed deletion.
   */
  public static Duration readStaleness(DatabaseConfig config) {
    return config.readUrl() == null ? Duration.ZERO
        : config.readMaxLag().plus(ReplicaReads.CHECK_EVERY);
  }

  @Override
  public Duration readStaleness() {
    return readStaleness;
  }

  /** Cross-instance single-flight claims, on the primary (the store pool). */
  public FlightClaims flightClaims() {
    return claims;
  }

  /** Which path {@link #findNearest} takes for a partition of this many rows. */
  public static boolean usesHnsw(long partitionRows) {
    return Lookups.usesHnsw(partitionRows);
  }

  @Override
  public Optional<StoredResponse> findExactOrStale(String cacheKey, Duration staleFor) {
    return lookups.findExactOrStale(cacheKey, staleFor);
  }

  @Override
  public boolean hasCandidates(String bucket, String model, String embeddingModelId) {
    return lookups.hasCandidates(bucket, model, embeddingModelId);
  }

  @Override
  public List<Neighbor> findNearest(String bucket, String model, String embeddingModelId,
      float[] vector, int k) {
    return lookups.findNearest(bucket, model, embeddingModelId, vector, k);
  }

  @Override
  public StoreOutcome store(NewEntry entry, byte[] image, boolean replace) {
    return writes.store(entry, image, replace);
  }

  @Override
  public StoreOutcome storeAlias(NewAlias alias) {
    return writes.storeAlias(alias);
  }

  @Override
  public void recordHits(Collection<HitRecord> hits) {
    writes.recordHits(hits);
  }

  @Override
  public void recordOutcomes(Collection<DailyCounts> counts) {
    writes.recordOutcomes(counts);
  }

  @Override
  public boolean delete(String cacheKey) {
    return maintenance.delete(cacheKey);
  }

  @Override
  public int purge(PurgeCriteria criteria) {
    return maintenance.purge(criteria);
  }

  @Override
  public List<String> deleteExpired(Duration keepFor, int batchSize) {
    return maintenance.deleteExpired(keepFor, batchSize);
  }

  @Override
  public List<String> evictToByteBudget(long budgetBytes, int batchSize) {
    return maintenance.evictToByteBudget(budgetBytes, batchSize);
  }

  @Override
  public int deleteOrphanBlobs(int batchSize) {
    return maintenance.deleteOrphanBlobs(batchSize);
  }

  @Override
  public int sweepUnreferencedObjects(int batchSize) {
    return maintenance.sweepObjects(sweepGrace, batchSize);
  }

  @Override
  public int migrateImages(boolean toObjectStore, int batchSize) {
    return toObjectStore ? migration.toObjectStore(batchSize) : migration.toDatabase(batchSize);
  }

  @Override
  public ImagePlacement imagePlacement() {
    return migration.placement();
  }

  @Override
  public void maintainIndexes() {
    indexes.requestPass();
  }

  /**
   * One pass of {@link #maintainIndexes} in the caller's thread, builds included (minutes for a
   * large partition): for benchmarks and tools that must know the indexes are in place.
   */
  public void maintainIndexesNow() {
    try {
      indexes.runPass();
    } catch (java.sql.SQLException e) {
      throw Failures.unavailable("maintainIndexes", e);
    }
  }

  PartitionIndexes partitionIndexes() {
    return indexes;
  }

  /**
   * Stops the partition-index thread (a build in progress is cancelled and cleaned up by the next
   * pass). The pool belongs to the {@link dev.deja.db.DejaDatabase}, which closes it.
   */
  @Override
  public void close() {
    try {
      indexes.close();
    } finally {
      if (replicas != null) {
        replicas.close();
      }
    }
  }

  /**
   * How far the read replica lags, as last measured: -1 when it does not answer, 0 when there is
   * none (lookups read the primary).
   */
  public long replicaLagMillis() {
    return replicas == null ? 0 : replicas.lagMillis();
  }

  /** Whether lookups read the replica right now. */
  public boolean readsReplica() {
    return replicas != null && replicas.replicaServes();
  }

  @Override
  public void afterDeletion() {
    if (replicas != null) {
      replicas.requireFreshAsOfNow();
    }
  }

  @Override
  public CacheStats stats() {
    return maintenance.stats();
  }

  @Override
  public List<EntrySummary> list(EntryFilter filter, int limit, int offset) {
    return maintenance.list(filter, limit, offset);
  }
}
