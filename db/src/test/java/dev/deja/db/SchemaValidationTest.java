package dev.deja.db;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Hibernate validates its entities against the Flyway schema at startup, so drift between a
 * migration and an entity fails the start with a message naming the column, instead of failing
 * the first purge or listing in production.
 */
class SchemaValidationTest {

  @Test
  void open_onTheMigratedSchema_validatesTheMappedEntities() {
    try (TestDatabase.Schema schema = TestDatabase.isolatedSchema(SchemaValidationTest.class);
        DejaDatabase db = DejaDatabase.open(schema.config())) {
      assertTrue(db.repository().stats().entries() >= 0);
    }
  }

  @Test
  void open_whenAMappedColumnIsMissing_failsWithSchemaMismatchNamingIt() throws Exception {
    try (TestDatabase.Schema schema = TestDatabase.isolatedSchema(SchemaValidationTest.class)) {
      DejaDatabase.open(schema.config()).close();
      alter(schema, "ALTER TABLE " + schema.name()
          + ".cache_entry RENAME COLUMN last_hit_at TO last_hit");

      SchemaMismatchException e = assertThrows(SchemaMismatchException.class,
          () -> DejaDatabase.open(schema.config()));
      assertTrue(e.getMessage().contains("last_hit_at"), e.getMessage());
      assertTrue(e.getMessage().contains(schema.name()), e.getMessage());
    }
  }

  @Test
  void open_whenAMappedColumnHasAnotherType_failsWithSchemaMismatchNamingIt() throws Exception {
    try (TestDatabase.Schema schema = TestDatabase.isolatedSchema(SchemaValidationTest.class)) {
      DejaDatabase.open(schema.config()).close();
      alter(schema, "ALTER TABLE " + schema.name()
          + ".cache_entry ALTER COLUMN status TYPE text");

      SchemaMismatchException e = assertThrows(SchemaMismatchException.class,
          () -> DejaDatabase.open(schema.config()));
      assertTrue(e.getMessage().contains("status"), e.getMessage());
    }
  }

  private static void alter(TestDatabase.Schema schema, String ddl) throws Exception {
    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
      s.execute(ddl);
    }
  }
}
