package dev.deja.filter.testing;

import dev.deja.filter.store.CacheStore;
import dev.deja.filter.store.Candidate;
import dev.deja.filter.store.CachedImage;
import dev.deja.filter.store.HitRecord;
import dev.deja.filter.store.NewAlias;
import dev.deja.filter.store.NewEntry;
import dev.deja.filter.store.StoreUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A brute-force store for tests of the filter's own logic (headers, single-flight, failure
 * handling). The real-database behaviour is tested against PostgreSQL.
 */
public final class InMemoryCacheStore implements CacheStore {

  private record Row(NewEntry entry, String aliasOf, Instant created) {}

  private final Map<String, Row> rows = new ConcurrentHashMap<>();
  public final AtomicInteger stores = new AtomicInteger();
  public final AtomicInteger hits = new AtomicInteger();
  private volatile boolean down;

  /** Makes every call fail like an unreachable database. */
  public void down(boolean down) {
    this.down = down;
  }

  public int size() {
    return rows.size();
  }

  @Override
  public Optional<CachedImage> findExact(String key) {
    check();
    Row row = rows.get(key);
    if (row == null) {
      return Optional.empty();
    }
    Row target = row.aliasOf == null ? row : rows.get(row.aliasOf);
    if (target == null) {
      return Optional.empty();
    }
    NewEntry e = target.entry;
    return Optional.of(
        new CachedImage(
            key, e.status(), e.contentType(), e.headers(), e.body(), target.created,
            e.expiresAt(), e.request().prompt()));
  }

  @Override
  public List<Candidate> findNearest(
      String bucket, String model, String embeddingModelId, float[] vector, int k) {
    check();
    List<Candidate> out = new ArrayList<>();
    for (Map.Entry<String, Row> r : rows.entrySet()) {
      NewEntry e = r.getValue().entry;
      if (r.getValue().aliasOf != null || e.embedding() == null) {
        continue;
      }
      if (!e.partition().bucket().equals(bucket) || !e.request().model().equals(model)) {
        continue;
      }
      double dot = 0;
      for (int i = 0; i < vector.length; i++) {
        dot += vector[i] * e.embedding()[i];
      }
      out.add(new Candidate(r.getKey(), e.request().prompt(), dot));
    }
    out.sort(Comparator.comparingDouble(Candidate::similarity).reversed());
    return out.subList(0, Math.min(k, out.size()));
  }

  @Override
  public void store(NewEntry entry) {
    check();
    stores.incrementAndGet();
    Row row = new Row(entry, null, Instant.now());
    if (entry.replace()) {
      rows.put(entry.key().value(), row);
    } else {
      rows.putIfAbsent(entry.key().value(), row);
    }
  }

  @Override
  public void storeAlias(NewAlias alias) {
    check();
    Row target = rows.get(alias.targetKey());
    if (target != null) {
      rows.putIfAbsent(alias.key().value(), new Row(target.entry, alias.targetKey(), Instant.now()));
    }
  }

  @Override
  public void recordHits(Collection<HitRecord> batch) {
    check();
    hits.addAndGet(batch.size());
  }

  @Override
  public void close() {}

  private void check() {
    if (down) {
      throw new StoreUnavailableException("test store is down", null);
    }
  }
}
