package dev.deja.db;

import static dev.deja.db.Fixtures.entry;
import static dev.deja.db.Fixtures.key;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.OpenDatabase;
import dev.deja.db.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * The management plane's JPA queries run on the same statement budget as the data plane's JDBC
 * writes: a query blocked inside the database is cancelled by the store timeout rather than
 * holding a pooled connection (and, for stats, {@code /health/ready}) indefinitely.
 */
class ManagementTimeoutTest {

  @RegisterExtension
  static final OpenDatabase DB = new OpenDatabase(ManagementTimeoutTest.class);
  static final TestDatabase.Schema SCHEMA = DB.schema();
  static final Duration STORE_TIMEOUT = Duration.ofMillis(300);
  /** Well under a blocked query's "forever", with room for a loaded CI machine. */
  static final long BOUND_MS = STORE_TIMEOUT.toMillis() + 1500;

  @Test
  void stats_blockedByALockOnTheEntries_isCancelledByTheStoreTimeout() throws Exception {
    assertCancelledWhileLocked("stats", repo -> () -> repo.stats());
  }

  @Test
  void purge_blockedByALockOnTheEntries_isCancelledByTheStoreTimeout() throws Exception {
    assertCancelledWhileLocked("purge",
        repo -> () -> repo.purge(new PurgeCriteria("no-such-model", null, null)));
  }

  @Test
  void list_blockedByALockOnTheEntries_isCancelledByTheStoreTimeout() throws Exception {
    assertCancelledWhileLocked("list",
        repo -> () -> repo.list(new EntryFilter(null, null, null, null), 10, 0));
  }

  private static void assertCancelledWhileLocked(String operation,
      Function<CacheStore, Executable> call) throws Exception {
    DatabaseConfig config = SCHEMA.builder().embeddingDimension(TestDatabase.DEFAULT_DIMENSION)
        .storeTimeout(STORE_TIMEOUT).build();
    try (DejaDatabase db = DejaDatabase.open(config);
        Connection locker = TestDatabase.connect()) {
      CacheStore repo = db.repository();
      repo.store(entry(key("mt-" + operation), "p", "mt", null, null), new byte[] {1}, false);
      locker.setAutoCommit(false);
      try (Statement s = locker.createStatement()) {
        s.execute("LOCK TABLE " + SCHEMA.name() + ".cache_entry IN ACCESS EXCLUSIVE MODE");
      }
      CacheUnavailableException e = assertWithin(BOUND_MS, () -> assertThrows(
          CacheUnavailableException.class, call.apply(repo)));
      assertEquals(operation, e.operation());
      assertEquals(Optional.of("57014"), sqlState(e), "query_canceled, in " + e);
      locker.rollback();
      assertDoesNotThrow(call.apply(repo), "the pool recovers once the lock is gone");
    }
  }

  private static Optional<String> sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return Optional.of(sql.getSQLState());
      }
    }
    return Optional.empty();
  }

  private static <T> T assertWithin(long ms, Supplier<T> action) {
    long t0 = System.nanoTime();
    T result = action.get();
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(took < ms, "took " + took + " ms, must be < " + ms);
    return result;
  }
}
