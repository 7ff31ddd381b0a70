package dev.deja.db.testing;

import dev.deja.db.CacheStore;
import dev.deja.db.DejaDatabase;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension for a test class that shares one database: an isolated schema, migrated and
 * opened before the first test, closed and dropped after the last.
 *
 * <pre>{@code
 * @RegisterExtension static final OpenDatabase DB = new OpenDatabase(MyTest.class);
 * private final CacheStore repo = DB.repository();
 * }</pre>
 */
public final class OpenDatabase implements BeforeAllCallback, AfterAllCallback {

  private final TestDatabase.Schema schema;
  private DejaDatabase db;

  public OpenDatabase(Class<?> testClass) {
    this.schema = TestDatabase.isolatedSchema(testClass);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    db = DejaDatabase.open(schema.config());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (db != null) {
        db.close();
      }
    } finally {
      schema.drop();
    }
  }

  public TestDatabase.Schema schema() {
    return schema;
  }

  public DejaDatabase db() {
    return db;
  }

  public CacheStore repository() {
    return db.repository();
  }
}
