package dev.deja.db.internal;

import static dev.deja.db.internal.Failures.SQLSTATE_FK_VIOLATION;
import static dev.deja.db.internal.Failures.requirePositive;
import static dev.deja.db.internal.Failures.unavailable;

import dev.deja.db.CacheStats;
import dev.deja.db.EntryFilter;
import dev.deja.db.EntrySource;
import dev.deja.db.EntrySummary;
import dev.deja.db.PurgeCriteria;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaDelete;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Predicate;
import jakarta.persistence.criteria.Root;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.hibernate.Session;

/**
 * The management plane: operator deletes and purges, the background sweeps (expiry, byte budget,
 * orphan blobs), stats and the entry listing. Off the request path, so JPA where a mapped query
 * says it more plainly (purge, stats, list); JDBC where the statement is PostgreSQL-specific
 * ({@code FOR UPDATE SKIP LOCKED}, window functions, savepoints around a racing store).
 */
final class Maintenance {

  private static final String DELETE_DANGLING_ALIASES = "DELETE FROM cache_entry a"
      + " WHERE a.source = 'alias'"
      + " AND NOT EXISTS (SELECT 1 FROM cache_entry t WHERE t.cache_key = a.alias_of)";

  private static final String DELETE_EXPIRED = "DELETE FROM cache_entry WHERE cache_key IN"
      + " (SELECT cache_key FROM cache_entry WHERE expires_at <= now() - make_interval(secs => ?)"
      + " LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING cache_key";

  private static final String DELETE_ORPHANS = "DELETE FROM image_blob WHERE sha256 IN"
      + " (SELECT b.sha256 FROM image_blob b WHERE NOT EXISTS"
      + " (SELECT 1 FROM cache_entry e WHERE e.blob_sha256 = b.sha256)"
      + " LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING storage_uri";

  private static final String DELETE_ORPHANS_AMONG = "DELETE FROM image_blob b"
      + " WHERE b.sha256 = ANY (?::text[]) AND NOT EXISTS"
      + " (SELECT 1 FROM cache_entry e WHERE e.blob_sha256 = b.sha256) RETURNING b.storage_uri";

  private static final String TOTAL_BLOB_BYTES = "SELECT coalesce(sum(byte_size), 0)"
      + " FROM image_blob";

  // Victims in least-recently-hit order until the bytes they carry cover the excess. Shared blobs
  // are counted per entry, so this can under-delete; the caller loops.
  private static final String EVICT = "WITH v AS (SELECT e.cache_key, sum(b.byte_size) OVER"
      + " (ORDER BY coalesce(e.last_hit_at, e.created_at), e.cache_key) - b.byte_size AS before"
      + " FROM cache_entry e JOIN image_blob b ON b.sha256 = e.blob_sha256"
      + " ORDER BY coalesce(e.last_hit_at, e.created_at), e.cache_key LIMIT ?)"
      + " DELETE FROM cache_entry d USING v WHERE d.cache_key = v.cache_key AND v.before < ?"
      + " RETURNING d.cache_key, d.blob_sha256";

  private final BoundConnections connections;
  private final EntityManagerFactory emf;
  private final PartitionSizes partitionSizes;
  private final ObjectImages objects;

  Maintenance(BoundConnections connections, EntityManagerFactory emf,
      PartitionSizes partitionSizes, ObjectImages objects) {
    this.connections = connections;
    this.emf = emf;
    this.partitionSizes = partitionSizes;
    this.objects = objects;
  }

  boolean delete(String cacheKey) {
    Objects.requireNonNull(cacheKey, "cacheKey");
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement("DELETE FROM cache_entry WHERE cache_key = ?");
        PreparedStatement aliases = c.prepareStatement(Writes.DELETE_ALIASES_OF)) {
      ps.setString(1, cacheKey);
      int rows = ps.executeUpdate();
      aliases.setString(1, cacheKey);
      aliases.executeUpdate();
      c.commit();
      return rows > 0;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("delete", e);
    }
  }

  int purge(PurgeCriteria criteria) {
    Objects.requireNonNull(criteria, "criteria");
    int rows = inStoreBudget("purge", em -> {
      CriteriaBuilder cb = em.getCriteriaBuilder();
      CriteriaDelete<CacheEntryEntity> delete = cb.createCriteriaDelete(CacheEntryEntity.class);
      Root<CacheEntryEntity> e = delete.from(CacheEntryEntity.class);
      List<Predicate> where =
          matching(cb, e, criteria.model(), criteria.bucket(), criteria.createdBefore());
      delete.where(where.toArray(new Predicate[0]));
      int deleted = em.createQuery(delete).executeUpdate();
      em.createNativeQuery(DELETE_DANGLING_ALIASES).executeUpdate();
      return deleted;
    });
    partitionSizes.clear();
    return rows;
  }

  List<String> deleteExpired(Duration keepFor, int batchSize) {
    requirePositive("batchSize", batchSize);
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement(DELETE_EXPIRED)) {
      ps.setDouble(1, Lookups.seconds(keepFor));
      ps.setInt(2, batchSize);
      List<String> keys = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
      c.commit();
      return keys;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("deleteExpired", e);
    }
  }

  List<String> evictToByteBudget(long budgetBytes, int batchSize) {
    if (budgetBytes < 0) {
      throw new IllegalArgumentException("budgetBytes must be >= 0 but was " + budgetBytes);
    }
    requirePositive("batchSize", batchSize);
    List<String> deleted = new ArrayList<>();
    List<String> unreferenced = new ArrayList<>();
    try (Connection c = connections.store()) {
      while (deleted.size() < batchSize) {
        long total;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(TOTAL_BLOB_BYTES)) {
          rs.next();
          total = rs.getLong(1);
        }
        long excess = total - budgetBytes;
        if (excess <= 0) {
          break;
        }
        List<String> shas = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(EVICT)) {
          ps.setInt(1, batchSize - deleted.size());
          ps.setLong(2, excess);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              deleted.add(rs.getString(1));
              shas.add(rs.getString(2));
            }
          }
        }
        if (shas.isEmpty()) {
          break;
        }
        try (Statement s = c.createStatement()) {
          s.executeUpdate(DELETE_DANGLING_ALIASES);
        }
        // A store racing this round may reuse one of these blobs (foreign key violation): keep
        // the evicted entries, leave the blobs to deleteOrphanBlobs.
        Savepoint beforeBlobs = c.setSavepoint();
        List<String> uris = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(DELETE_ORPHANS_AMONG)) {
          ps.setArray(1, c.createArrayOf("text", shas.toArray()));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              uris.add(rs.getString(1));
            }
          }
        } catch (SQLException e) {
          if (!SQLSTATE_FK_VIOLATION.equals(e.getSQLState())) {
            throw e;
          }
          c.rollback(beforeBlobs);
          uris.clear();
        }
        c.commit();
        unreferenced.addAll(uris);
        // SET LOCAL ended with that transaction; the next round gets its own budget.
        BoundConnections.boundStatements(c, connections.storeTimeoutMs());
      }
      c.commit();
      if (!deleted.isEmpty()) {
        partitionSizes.clear();
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("evictToByteBudget", e);
    } finally {
      objects.deleteAfterCommit(unreferenced); // only what committed transactions unreferenced
    }
    return deleted;
  }

  int deleteOrphanBlobs(int batchSize) {
    requirePositive("batchSize", batchSize);
    List<String> uris = new ArrayList<>();
    int rows = 0;
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement(DELETE_ORPHANS)) {
      try {
        ps.setInt(1, batchSize);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows++;
            uris.add(rs.getString(1));
          }
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        if (SQLSTATE_FK_VIOLATION.equals(e.getSQLState())) {
          return 0; // a store adopted one of them meanwhile; the next sweep retries the rest
        }
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("deleteOrphanBlobs", e);
    }
    objects.deleteAfterCommit(uris);
    return rows;
  }

  /** See {@link ObjectImages#sweep}. */
  int sweepObjects(Duration grace, int batchSize) {
    Objects.requireNonNull(grace, "grace");
    requirePositive("batchSize", batchSize);
    return objects.sweep(grace, batchSize);
  }

  /**
   * Backs {@code /health/ready}, so it must answer or fail within a bound. The store budget, not
   * the lookup budget: three counts grow with the table, and a healthy but large cache must not
   * report itself unready.
   */
  CacheStats stats() {
    return inStoreBudget("stats", em -> {
      long entries = em.createQuery(
          "select count(e) from CacheEntryEntity e where e.source = 'origin'", Long.class)
          .getSingleResult();
      long aliases = em.createQuery(
          "select count(e) from CacheEntryEntity e where e.source = 'alias'", Long.class)
          .getSingleResult();
      Object[] blobs = em.createQuery(
          "select count(b), coalesce(sum(b.byteSize), 0) from ImageBlobEntity b", Object[].class)
          .getSingleResult();
      return new CacheStats(entries, aliases, ((Number) blobs[0]).longValue(),
          ((Number) blobs[1]).longValue());
    });
  }

  /**
   * Bounded by the store timeout like every write, because an operator's listing must not hold a
   * pooled connection longer than the data plane would.
   */
  List<EntrySummary> list(EntryFilter filter, int limit, int offset) {
    Objects.requireNonNull(filter, "filter");
    requirePositive("limit", limit);
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    return inStoreBudget("list", em -> {
      CriteriaBuilder cb = em.getCriteriaBuilder();
      CriteriaQuery<CacheEntryEntity> query = cb.createQuery(CacheEntryEntity.class);
      Root<CacheEntryEntity> e = query.from(CacheEntryEntity.class);
      List<Predicate> where =
          matching(cb, e, filter.model(), filter.bucket(), filter.createdBefore());
      if (filter.promptContains() != null) {
        where.add(cb.like(cb.lower(e.get("prompt")),
            PostgresCacheAudit.containsPattern(filter.promptContains()), '\\'));
      }
      query.select(e).where(where.toArray(new Predicate[0]))
          .orderBy(cb.desc(e.get("createdAt")), cb.asc(e.get("cacheKey")));
      return em.createQuery(query)
          .setFirstResult(offset)
          .setMaxResults(limit)
          .getResultList().stream()
          .map(r -> new EntrySummary(r.cacheKey(), r.prompt(), r.model(), r.bucket(),
              EntrySource.fromSql(r.source()), r.aliasOf(), r.createdAt(), r.expiresAt(),
              r.lastHitAt()))
          .toList();
    });
  }

  /**
   * Runs JPA work in one transaction on the same budget as a JDBC store: {@code SET LOCAL
   * statement_timeout} and the socket timeout on the connection Hibernate took from the pool.
   * Without it the JPA paths had no bound at all (a query hint gives the statement timeout only,
   * and in whole seconds).
   */
  private <T> T inStoreBudget(String operation, Function<EntityManager, T> work) {
    EntityManager em = emf.createEntityManager();
    try {
      em.getTransaction().begin();
      em.unwrap(Session.class).doWork(connections::bindToStoreBudget);
      T result = work.apply(em);
      em.getTransaction().commit();
      return result;
    } catch (RuntimeException ex) {
      try {
        if (em.getTransaction().isActive()) {
          em.getTransaction().rollback();
        }
      } catch (RuntimeException rollback) {
        ex.addSuppressed(rollback); // the connection is gone; the first failure says why
      }
      throw unavailable(operation, ex);
    } finally {
      em.close();
    }
  }

  /** The conditions purge and list share, one per non-null argument; all must hold. */
  private static List<Predicate> matching(CriteriaBuilder cb, Root<CacheEntryEntity> e,
      String model, String bucket, Instant createdBefore) {
    List<Predicate> where = new ArrayList<>();
    if (model != null) {
      where.add(cb.equal(e.get("model"), model));
    }
    if (bucket != null) {
      where.add(cb.equal(e.get("bucket"), bucket));
    }
    if (createdBefore != null) {
      where.add(cb.lessThan(e.<Instant>get("createdAt"), createdBefore));
    }
    return where;
  }
}
