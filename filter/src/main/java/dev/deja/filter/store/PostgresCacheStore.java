package dev.deja.filter.store;

import dev.deja.db.CacheRepository;
import dev.deja.db.CacheUnavailableException;
import dev.deja.db.DailyCounts;
import dev.deja.db.DejaDatabase;
import dev.deja.db.Neighbor;
import dev.deja.db.StoredResponse;
import dev.deja.filter.request.ImageRequest;
import dev.deja.filter.request.Partition;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The filter's store on PostgreSQL + pgvector: a thin adapter from the filter's SPI to {@link
 * CacheRepository}, turning database failures into {@link StoreUnavailableException}.
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
  public Optional<CachedImage> findExact(String key) {
    try {
      return repository.findExact(key).map(PostgresCacheStore::image);
    } catch (CacheUnavailableException e) {
      throw unavailable("findExact", e);
    }
  }

  @Override
  public boolean hasCandidates(String bucket, String model, String embeddingModelId) {
    try {
      return repository.hasCandidates(bucket, model, embeddingModelId);
    } catch (CacheUnavailableException e) {
      throw unavailable("hasCandidates", e);
    }
  }

  @Override
  public List<Candidate> findNearest(
      String bucket, String model, String embeddingModelId, float[] vector, int k) {
    try {
      List<Neighbor> neighbours =
          repository.findNearest(bucket, model, embeddingModelId, vector, k);
      return neighbours.stream()
          .map(n -> new Candidate(n.cacheKey(), n.prompt(), n.similarity()))
          .toList();
    } catch (CacheUnavailableException e) {
      throw unavailable("findNearest", e);
    }
  }

  @Override
  public void store(NewEntry e) {
    ImageRequest r = e.request();
    try {
      repository.store(
          new dev.deja.db.NewEntry(
              e.key().value(),
              r.prompt(),
              e.normalizedPrompt(),
              r.model(),
              r.width(),
              r.height(),
              r.seed(),
              r.param("quality"),
              r.param("negative_prompt"),
              Partition.imageInputsHash(r),
              r.params(),
              e.partition().bucket(),
              e.embedding(),
              e.embedding() == null ? null : e.embeddingModelId(),
              e.status(),
              e.contentType(),
              e.headers(),
              e.expiresAt()),
          e.body(),
          e.replace());
    } catch (CacheUnavailableException ex) {
      throw unavailable("store", ex);
    }
  }

  @Override
  public void storeAlias(NewAlias a) {
    ImageRequest r = a.request();
    try {
      repository.storeAlias(
          new dev.deja.db.NewAlias(
              a.key().value(),
              a.targetKey(),
              a.similarity(),
              r.prompt(),
              a.normalizedPrompt(),
              r.model(),
              r.width(),
              r.height(),
              r.seed(),
              r.param("quality"),
              r.param("negative_prompt"),
              Partition.imageInputsHash(r),
              r.params(),
              a.partition().bucket(),
              null,
              a.expiresAt()));
    } catch (CacheUnavailableException ex) {
      throw unavailable("storeAlias", ex);
    }
  }

  @Override
  public void recordHits(Collection<HitRecord> hits) {
    try {
      repository.recordHits(
          hits.stream()
              .map(
                  h ->
                      new dev.deja.db.HitRecord(
                          h.key(),
                          h.semantic()
                              ? dev.deja.db.HitRecord.Kind.SEMANTIC
                              : dev.deja.db.HitRecord.Kind.EXACT,
                          h.at()))
              .toList());
    } catch (CacheUnavailableException ex) {
      throw unavailable("recordHits", ex);
    }
  }

  @Override
  public void recordOutcomes(OutcomeCounts c) {
    try {
      repository.recordOutcomes(
          List.of(
              new DailyCounts(
                  c.day(),
                  c.requests(),
                  c.exactHits(),
                  c.semanticHits(),
                  c.misses(),
                  c.bypasses(),
                  c.stores(),
                  c.storeDrops())));
    } catch (CacheUnavailableException ex) {
      throw unavailable("recordOutcomes", ex);
    }
  }

  /** The repository, for administration (delete, purge, eviction, statistics). */
  public CacheRepository repository() {
    return repository;
  }

  @Override
  public void close() {
    if (owned != null) {
      owned.close();
    }
  }

  private static CachedImage image(StoredResponse s) {
    return new CachedImage(
        s.cacheKey(),
        s.status(),
        s.contentType(),
        s.headers(),
        s.body(),
        s.createdAt(),
        s.expiresAt(),
        s.prompt(),
        s.aliasOf(),
        s.similarity());
  }

  private static StoreUnavailableException unavailable(String operation, RuntimeException e) {
    return new StoreUnavailableException("PostgreSQL store: " + operation + " failed", e);
  }
}
