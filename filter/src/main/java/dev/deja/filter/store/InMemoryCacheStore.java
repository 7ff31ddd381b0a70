package dev.deja.filter.store;

import dev.deja.db.CacheStore;
import dev.deja.db.CacheStats;
import dev.deja.db.DailyCounts;
import dev.deja.db.EntryFilter;
import dev.deja.db.EntrySource;
import dev.deja.db.EntrySummary;
import dev.deja.db.HitRecord;
import dev.deja.db.ImagePlacement;
import dev.deja.db.Neighbor;
import dev.deja.db.NewAlias;
import dev.deja.db.NewEntry;
import dev.deja.db.PurgeCriteria;
import dev.deja.db.StoreOutcome;
import dev.deja.db.StoredResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A complete {@link CacheStore} in the heap: the same semantics as the PostgreSQL store ({@code DejaDatabase#repository()})
 * (both pass {@code CacheStoreContract}), with nearest neighbours found by an exact cosine scan
 * of the partition. For tests that specify the filter's behaviour without a database, and for a
 * single instance whose cache may vanish on restart.
 *
 * <p>Like the database, it keeps an image once however many entries share it (keyed by SHA-256),
 * so {@link #stats()} and {@link #evictToByteBudget} count the same bytes; an image left without
 * entries stays until {@link #deleteOrphanBlobs}, as it does in PostgreSQL.
 *
 * <p>Thread-safe: every operation holds the store's monitor. A scan per lookup under one lock is
 * the honest cost of an exact, consistent answer; this store is not meant for millions of
 * entries.
 */
public final class InMemoryCacheStore implements CacheStore {

  /** Entry rows by key; an alias is a row whose {@code aliasOf} is set. Guarded by {@code this}. */
  private final Map<String, Row> rows = new HashMap<>();
  /** Images by hex SHA-256. Guarded by {@code this}. */
  private final Map<String, byte[]> blobs = new HashMap<>();
  /** Daily request outcomes, added up as {@link #recordOutcomes} receives them. */
  private final Map<LocalDate, DailyCounts> outcomes = new HashMap<>();
  private final Clock clock;
  private long blobBytes;

  /** A store on the system clock. */
  public InMemoryCacheStore() {
    this(Clock.systemUTC());
  }

  /** A store whose notion of "now" (creation, expiry) is {@code clock}, for tests. */
  public InMemoryCacheStore(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** One stored entry or alias; replaced, never mutated. */
  private record Row(
      String key,
      String prompt,
      String model,
      String bucket,
      String embeddingModelId,
      float[] embedding,
      int status,
      String contentType,
      Map<String, List<String>> headers,
      String sha256,
      Instant createdAt,
      Instant expiresAt,
      String aliasOf,
      Double aliasSimilarity,
      Instant lastHitAt) {

    boolean isAlias() {
      return aliasOf != null;
    }

    /** Whether the row may still be served at {@code now}, or {@code window} after its expiry. */
    boolean servableAt(Instant now, Duration window) {
      return expiresAt == null || expiresAt.plus(window).isAfter(now);
    }

    /** A semantic candidate of this partition: an origin entry with an embedding. */
    boolean candidateIn(String bucket, String model, String embeddingModelId) {
      return !isAlias() && embedding != null && bucket.equals(this.bucket)
          && model.equals(this.model) && embeddingModelId.equals(this.embeddingModelId);
    }

    /** Eviction order: least recently hit first; never hit counts from creation. */
    Instant lastUsed() {
      return lastHitAt != null ? lastHitAt : createdAt;
    }

    Row hitAt(Instant at) {
      if (lastHitAt != null && !at.isAfter(lastHitAt)) {
        return this;
      }
      return new Row(key, prompt, model, bucket, embeddingModelId, embedding, status, contentType,
          headers, sha256, createdAt, expiresAt, aliasOf, aliasSimilarity, at);
    }
  }

  // --- the request path ---------------------------------------------------------------------

  @Override
  public synchronized Optional<StoredResponse> findExactOrStale(String key, Duration staleFor) {
    Objects.requireNonNull(key, "key");
    if (staleFor.isNegative()) {
      throw new IllegalArgumentException("staleFor must be >= 0, was " + staleFor);
    }
    Row row = rows.get(key);
    if (row == null || !row.servableAt(clock.instant(), staleFor)) {
      return Optional.empty();
    }
    return Optional.of(new StoredResponse(row.key(), row.status(), row.contentType(), row.headers(),
        blobs.get(row.sha256()), row.createdAt(), row.expiresAt(),
        row.isAlias() ? EntrySource.ALIAS : EntrySource.ORIGIN, row.prompt(), row.bucket(),
        row.aliasOf(), row.aliasSimilarity(), row.sha256()));
  }

  @Override
  public synchronized boolean hasCandidates(
      String bucket, String model, String embeddingModelId) {
    Instant now = clock.instant();
    return rows.values().stream()
        .anyMatch(r -> r.candidateIn(bucket, model, embeddingModelId)
            && r.servableAt(now, Duration.ZERO));
  }

  @Override
  public synchronized List<Neighbor> findNearest(
      String bucket, String model, String embeddingModelId, float[] vector, int k) {
    Objects.requireNonNull(vector, "vector");
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1 but was " + k);
    }
    Instant now = clock.instant();
    List<Neighbor> all = new ArrayList<>();
    for (Row r : rows.values()) {
      if (r.candidateIn(bucket, model, embeddingModelId) && r.servableAt(now, Duration.ZERO)) {
        all.add(new Neighbor(r.key(), r.prompt(), cosine(vector, r.embedding())));
      }
    }
    // The database's order: most similar first, ties by key, so both stores answer alike.
    all.sort(Comparator.comparingDouble(Neighbor::similarity).reversed()
        .thenComparing(Neighbor::cacheKey));
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  /** Cosine similarity, as pgvector's {@code 1 - (a <=> b)}; 0 for a zero vector. */
  static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "vector has dimension " + a.length + " but the entry has " + b.length);
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }

  @Override
  public synchronized StoreOutcome store(NewEntry e, byte[] body, boolean replace) {
    Objects.requireNonNull(e, "entry");
    Objects.requireNonNull(body, "body");
    Instant now = clock.instant();
    Row existing = rows.get(e.cacheKey());
    // Without replace only an expired entry gives way; a live one (even an alias) is kept.
    if (existing != null && !replace && existing.servableAt(now, Duration.ZERO)) {
      return StoreOutcome.ALREADY_PRESENT;
    }
    String sha = StoredResponse.sha256Of(body);
    if (blobs.putIfAbsent(sha, body.clone()) == null) {
      blobBytes += body.length;
    }
    float[] embedding = e.embedding() == null ? null : e.embedding().clone();
    rows.put(e.cacheKey(), new Row(e.cacheKey(), e.request().prompt(), e.request().model(),
        e.request().bucket(), embedding == null ? null : e.embeddingModelId(), embedding,
        e.status(), e.contentType(), e.headers(), sha, now, e.expiresAt(), null, null, null));
    if (existing != null) {
      // Aliases served the old image; the new one was not judged similar to their prompts.
      removeAliasesOf(e.cacheKey());
      return StoreOutcome.REPLACED;
    }
    return StoreOutcome.STORED;
  }

  @Override
  public synchronized StoreOutcome storeAlias(NewAlias a) {
    Objects.requireNonNull(a, "alias");
    Instant now = clock.instant();
    Row target = rows.get(a.targetKey());
    if (rows.containsKey(a.cacheKey())) {
      return StoreOutcome.ALREADY_PRESENT;
    }
    if (target == null || !target.servableAt(now, Duration.ZERO)) {
      return StoreOutcome.TARGET_MISSING;
    }
    rows.put(a.cacheKey(), new Row(a.cacheKey(), a.request().prompt(), a.request().model(),
        a.request().bucket(), null, null, target.status(), target.contentType(),
        target.headers(), target.sha256(), now, earlier(a.expiresAt(), target.expiresAt()),
        target.key(), a.similarity(), null));
    return StoreOutcome.STORED;
  }

  /** The earlier of two expiries, null meaning never (SQL's {@code least}, which skips nulls). */
  private static Instant earlier(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isBefore(b) ? a : b;
  }

  /**
   * Moves each entry's last-hit time forward; it orders {@link #evictToByteBudget}. Hit counts
   * are not kept: nothing in the contract reads them back.
   */
  @Override
  public synchronized void recordHits(Collection<HitRecord> hits) {
    for (HitRecord h : hits) {
      rows.computeIfPresent(h.cacheKey(), (key, row) -> row.hitAt(h.at()));
    }
  }

  @Override
  public synchronized void recordOutcomes(Collection<DailyCounts> counts) {
    for (DailyCounts c : counts) {
      outcomes.merge(c.day(), c, InMemoryCacheStore::sum);
    }
  }

  /** The outcomes recorded for {@code day} so far, all zero when none. */
  public synchronized DailyCounts outcomes(LocalDate day) {
    return outcomes.getOrDefault(day, new DailyCounts(day, 0, 0, 0, 0, 0, 0, 0));
  }

  private static DailyCounts sum(DailyCounts a, DailyCounts b) {
    return new DailyCounts(a.day(), a.requests() + b.requests(), a.exactHits() + b.exactHits(),
        a.semanticHits() + b.semanticHits(), a.misses() + b.misses(),
        a.bypasses() + b.bypasses(), a.stores() + b.stores(), a.storeDrops() + b.storeDrops());
  }

  // --- maintenance --------------------------------------------------------------------------

  @Override
  public synchronized boolean delete(String key) {
    boolean existed = rows.remove(key) != null;
    removeAliasesOf(key);
    return existed;
  }

  @Override
  public synchronized int purge(PurgeCriteria c) {
    Objects.requireNonNull(c, "criteria");
    int deleted = 0;
    for (Iterator<Row> it = rows.values().iterator(); it.hasNext(); ) {
      Row r = it.next();
      if ((c.model() == null || c.model().equals(r.model()))
          && (c.bucket() == null || c.bucket().equals(r.bucket()))
          && (c.createdBefore() == null || r.createdAt().isBefore(c.createdBefore()))) {
        it.remove();
        deleted++;
      }
    }
    removeDanglingAliases();
    return deleted;
  }

  @Override
  public synchronized List<String> deleteExpired(Duration keepFor, int batchSize) {
    requirePositive(batchSize);
    if (keepFor.isNegative()) {
      throw new IllegalArgumentException("keepFor must be >= 0, was " + keepFor);
    }
    Instant now = clock.instant();
    List<String> deleted = new ArrayList<>();
    Iterator<Row> it = rows.values().iterator();
    while (it.hasNext() && deleted.size() < batchSize) {
      Row row = it.next();
      if (!row.servableAt(now, keepFor)) {
        it.remove();
        deleted.add(row.key());
      }
    }
    return deleted;
  }

  @Override
  public synchronized List<String> evictToByteBudget(long budgetBytes, int batchSize) {
    if (budgetBytes < 0) {
      throw new IllegalArgumentException("budgetBytes must be >= 0 but was " + budgetBytes);
    }
    requirePositive(batchSize);
    List<Row> byLastUse = new ArrayList<>(rows.values());
    byLastUse.sort(Comparator.comparing(Row::lastUsed).thenComparing(Row::key));
    List<String> deleted = new ArrayList<>();
    Set<String> freed = new HashSet<>();
    for (Row victim : byLastUse) {
      if (blobBytes <= budgetBytes || deleted.size() >= batchSize) {
        break;
      }
      if (rows.remove(victim.key()) == null) {
        continue; // an alias already gone with its target
      }
      deleted.add(victim.key());
      freed.add(victim.sha256());
      removeDanglingAliases();
      // Only images these deletions orphaned go now; older orphans wait for deleteOrphanBlobs.
      Set<String> referenced = referencedBlobs();
      for (String sha : freed) {
        if (!referenced.contains(sha)) {
          removeBlob(sha);
        }
      }
      freed.retainAll(referenced);
    }
    return deleted;
  }

  @Override
  public synchronized int deleteOrphanBlobs(int batchSize) {
    requirePositive(batchSize);
    Set<String> referenced = referencedBlobs();
    List<String> orphans = blobs.keySet().stream()
        .filter(sha -> !referenced.contains(sha)).limit(batchSize).toList();
    orphans.forEach(this::removeBlob);
    return orphans.size();
  }

  @Override
  public synchronized List<EntrySummary> list(EntryFilter filter, int limit, int offset) {
    Objects.requireNonNull(filter, "filter");
    if (limit < 1 || offset < 0) {
      throw new IllegalArgumentException(
          "limit must be >= 1 and offset >= 0, were " + limit + " and " + offset);
    }
    String contains = filter.promptContains() == null
        ? null : filter.promptContains().toLowerCase(Locale.ROOT);
    return rows.values().stream()
        .filter(r -> filter.model() == null || filter.model().equals(r.model()))
        .filter(r -> filter.bucket() == null || filter.bucket().equals(r.bucket()))
        .filter(r -> contains == null || r.prompt().toLowerCase(Locale.ROOT).contains(contains))
        .filter(r -> filter.createdBefore() == null
            || r.createdAt().isBefore(filter.createdBefore()))
        .sorted(Comparator.comparing(Row::createdAt).reversed().thenComparing(Row::key))
        .skip(offset)
        .limit(limit)
        .map(r -> new EntrySummary(r.key(), r.prompt(), r.model(), r.bucket(),
            r.isAlias() ? EntrySource.ALIAS : EntrySource.ORIGIN, r.aliasOf(), r.createdAt(),
            r.expiresAt(), r.lastHitAt()))
        .toList();
  }

  /** The heap is this store's only image store: no objects to sweep. */
  @Override
  public int sweepUnreferencedObjects(int batchSize) {
    return 0;
  }

  /** The heap is this store's only image store: nothing to move. */
  @Override
  public int migrateImages(boolean toObjectStore, int batchSize) {
    return 0;
  }

  @Override
  public synchronized ImagePlacement imagePlacement() {
    return new ImagePlacement(blobs.size(), blobBytes, 0, 0);
  }

  @Override
  public synchronized CacheStats stats() {
    long aliases = rows.values().stream().filter(Row::isAlias).count();
    return new CacheStats(rows.size() - aliases, aliases, blobs.size(), blobBytes);
  }

  /** Forgets everything: the heap is released with the store. */
  @Override
  public synchronized void close() {
    rows.clear();
    blobs.clear();
    outcomes.clear();
    blobBytes = 0;
  }

  // --- helpers (callers hold the monitor) ---------------------------------------------------

  private void removeAliasesOf(String targetKey) {
    rows.values().removeIf(r -> targetKey.equals(r.aliasOf()));
  }

  private void removeDanglingAliases() {
    rows.values().removeIf(r -> r.isAlias() && !rows.containsKey(r.aliasOf()));
  }

  private Set<String> referencedBlobs() {
    Set<String> referenced = new HashSet<>();
    rows.values().forEach(r -> referenced.add(r.sha256()));
    return referenced;
  }

  private void removeBlob(String sha) {
    byte[] bytes = blobs.remove(sha);
    if (bytes != null) {
      blobBytes -= bytes.length;
    }
  }

  private static void requirePositive(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1 but was " + batchSize);
    }
  }
}
