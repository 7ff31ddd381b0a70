package dev.deja.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MigrationTest {

  @Test
  void open_onEmptySchema_appliesMigrations_andSecondOpenIsNoOp() throws Exception {
    try (TestDatabase.Schema schema = TestDatabase.isolatedSchema(MigrationTest.class)) {
      try (DejaDatabase db = DejaDatabase.open(schema.config())) {
        assertEquals(new CacheStats(0, 0, 0, 0), db.repository().stats());
      }
      long applied = count(schema, "SELECT count(*) FROM " + schema.name()
          + ".flyway_schema_history WHERE success");
      assertTrue(applied >= 3, "V1..V3 applied, got " + applied);
      try (DejaDatabase db = DejaDatabase.open(schema.config())) {
        assertEquals(0, db.repository().stats().entries());
      }
      assertEquals(applied, count(schema, "SELECT count(*) FROM " + schema.name()
          + ".flyway_schema_history"), "second open applied nothing");
      assertEquals(384, count(schema, "SELECT atttypmod FROM pg_attribute WHERE attrelid = '"
          + schema.name() + ".cache_entry'::regclass AND attname = 'embedding'"));
    }
  }

  @Test
  void open_concurrentlyOnSameEmptySchema_allSucceed() throws Exception {
    int instances = 4;
    try (TestDatabase.Schema schema = TestDatabase.isolatedSchema(MigrationTest.class)) {
      ExecutorService pool = Executors.newFixedThreadPool(instances);
      CyclicBarrier start = new CyclicBarrier(instances);
      List<Future<DejaDatabase>> opened = new ArrayList<>();
      for (int i = 0; i < instances; i++) {
        opened.add(pool.submit(() -> {
          start.await();
          return DejaDatabase.open(schema.config());
        }));
      }
      for (Future<DejaDatabase> f : opened) {
        try (DejaDatabase db = f.get(60, TimeUnit.SECONDS)) {
          assertEquals(0, db.repository().stats().entries());
        }
      }
      pool.shutdown();
      assertEquals(0, count(schema, "SELECT count(*) FROM " + schema.name()
          + ".flyway_schema_history WHERE NOT success"));
    }
  }

  @Test
  void open_withOtherEmbeddingDimension_throwsSchemaMismatchSayingWhatToDo() {
    try (TestDatabase.Schema schema = TestDatabase.isolatedSchema(MigrationTest.class)) {
      DejaDatabase.open(schema.config(384)).close();
      SchemaMismatchException e = assertThrows(SchemaMismatchException.class,
          () -> DejaDatabase.open(schema.config(768)));
      assertTrue(e.getMessage().contains("dimension 384"), e.getMessage());
      assertTrue(e.getMessage().contains("new schema"), e.getMessage());
    }
  }

  @Test
  void hnswIndex_isBuiltWithoutParallelWorkers_andPartial() throws Exception {
    try (TestDatabase.Schema schema = TestDatabase.isolatedSchema(MigrationTest.class)) {
      DejaDatabase.open(schema.config()).close();
      try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE schemaname = '"
              + schema.name() + "' AND indexname = 'cache_entry_embedding_hnsw'")) {
        assertTrue(rs.next(), "HNSW index exists");
        String def = rs.getString(1);
        assertTrue(def.contains("USING hnsw") && def.contains("vector_cosine_ops")
            && def.contains("WHERE"), def);
      }
    }
  }

  /** V2 is history; PartitionSql is the one place the condition is written: they must agree. */
  @Test
  void migratedGlobalIndex_isExactlyPartitionSqlsDefinition() throws Exception {
    try (TestDatabase.Schema schema = TestDatabase.isolatedSchema(MigrationTest.class)) {
      DejaDatabase.open(schema.config()).close();
      try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
        String migrated = indexDef(s, schema);
        s.execute("SET search_path = " + schema.name() + ", public");
        s.execute("DROP INDEX cache_entry_embedding_hnsw");
        s.execute(PartitionSql.GLOBAL_HNSW_INDEX);
        assertEquals(migrated, indexDef(s, schema));
        assertTrue(migrated.endsWith("WHERE ((source = 'origin'::text) AND (embedding IS NOT"
            + " NULL))"), migrated);
      }
    }
  }

  private static String indexDef(Statement s, TestDatabase.Schema schema) throws Exception {
    try (ResultSet rs = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE schemaname = '"
        + schema.name() + "' AND indexname = 'cache_entry_embedding_hnsw'")) {
      assertTrue(rs.next(), "HNSW index exists");
      return rs.getString(1);
    }
  }

  static long count(TestDatabase.Schema schema, String sql) throws Exception {
    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
