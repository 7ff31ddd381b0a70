package dev.deja.filter.store;

import dev.deja.db.CacheRepository;
import dev.deja.db.CacheStats;
import dev.deja.db.DailyCounts;
import dev.deja.db.DejaDatabase;
import dev.deja.db.EntryFilter;
import dev.deja.db.EntrySummary;
import dev.deja.db.HitRecord;
import dev.deja.db.ImagePlacement;
import dev.deja.db.Neighbor;
import dev.deja.db.NewAlias;
import dev.deja.db.NewEntry;
import dev.deja.db.PurgeCriteria;
import dev.deja.db.StoredResponse;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The filter's store on PostgreSQL + pgvector: {@link CacheRepository} behind the storage
 * contract. The repository already reports every database failure as the contract's {@link
 * dev.deja.db.CacheUnavailableException}, so nothing here translates errors.
 */
public final class PostgresCacheStore implements CacheStore {

  private final CacheRepository repository;
  private final DejaDatabase owned;

  /** Uses the repository without owning its database. */
  public PostgresCacheStore(CacheRepository repository) {
    this.repository = repository;
    this.owned = null;
  }

  /** Uses, and closes on {@link #close()}, this database. */
  public PostgresCacheStore(DejaDatabase database) {
    this.repository = database.repository();
    this.owned = database;
  }

  @Override
  public Optional<StoredResponse> findExact(String key) {
    return repository.findExact(key);
  }

  @Override
  public Optional<StoredResponse> findExactOrStale(String key, java.time.Duration staleFor) {
    return repository.findExactOrStale(key, staleFor);
  }

  @Override
  public boolean hasCandidates(String bucket, String model, String embeddingModelId) {
    return repository.hasCandidates(bucket, model, embeddingModelId);
  }

  @Override
  public List<Neighbor> findNearest(
      String bucket, String model, String embeddingModelId, float[] vector, int k) {
    return repository.findNearest(bucket, model, embeddingModelId, vector, k);
  }

  @Override
  public void store(NewEntry entry, byte[] body, boolean replace) {
    repository.store(entry, body, replace);
  }

  @Override
  public void storeAlias(NewAlias alias) {
    repository.storeAlias(alias);
  }

  @Override
  public void recordHits(Collection<HitRecord> hits) {
    repository.recordHits(hits);
  }

  @Override
  public void recordOutcomes(DailyCounts counts) {
    repository.recordOutcomes(List.of(counts));
  }

  @Override
  public boolean delete(String key) {
    return repository.delete(key);
  }

  @Override
  public int purge(PurgeCriteria c) {
    return repository.purge(c);
  }

  @Override
  public int deleteExpired(java.time.Duration keepFor, int batchSize) {
    return repository.deleteExpired(keepFor, batchSize);
  }

  @Override
  public int evictToByteBudget(long budgetBytes, int batchSize) {
    return repository.evictToByteBudget(budgetBytes, batchSize);
  }

  @Override
  public int deleteOrphanBlobs(int batchSize) {
    return repository.deleteOrphanBlobs(batchSize);
  }

  @Override
  public int sweepUnreferencedObjects(int batchSize) {
    return repository.sweepUnreferencedObjects(batchSize);
  }

  @Override
  public int migrateImages(boolean toObjectStore, int batchSize) {
    return repository.migrateImages(toObjectStore, batchSize);
  }

  @Override
  public ImagePlacement imagePlacement() {
    return repository.imagePlacement();
  }

  @Override
  public CacheStats stats() {
    return repository.stats();
  }

  @Override
  public List<EntrySummary> list(EntryFilter filter, int limit, int offset) {
    return repository.list(filter, limit, offset);
  }

  @Override
  public void close() {
    if (owned != null) {
      owned.close();
    }
  }
}
