package dev.deja.db;

import static dev.deja.db.Fixtures.entry;
import static dev.deja.db.Fixtures.image;
import static dev.deja.db.Fixtures.key;
import static dev.deja.db.testing.TestVectors.perturb;
import static dev.deja.db.testing.TestVectors.unitVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every SQL query of the README's cookbook runs, and returns rows, on a populated cache. */
class ReadmeCookbookTest {

  static final TestDatabase.Schema SCHEMA = TestDatabase.isolatedSchema(ReadmeCookbookTest.class);
  static DejaDatabase db;

  @BeforeAll
  static void populate() {
    db = DejaDatabase.open(SCHEMA.config());
    CacheStore repo = db.repository();
    Random r = new Random(7);
    float[] base = unitVector(r, TestDatabase.DEFAULT_DIMENSION);
    String target = key("cookbook-0");
    for (int i = 0; i < 4; i++) {
      repo.store(
          entry(key("cookbook-" + i), "a lighthouse at dusk, variant " + i, "1024x576_seed1",
              perturb(r, base, 0.05), Instant.now().plus(i + 1, ChronoUnit.HOURS)),
          image(r, 1000 + i), false);
    }
    repo.storeAlias(
        new NewAlias(key("cookbook-alias"), target, 0.97, new StoredRequest(
            "a lighthouse at dusk, detailed", "a lighthouse at dusk detailed", Fixtures.MODEL,
            1024, 576, 1L, "standard", null, null, Map.of(), "1024x576_seed1"),
            Fixtures.EMBEDDER, null));
    repo.recordHits(List.of(new HitRecord(target, HitRecord.Kind.SEMANTIC, Instant.now())));
    repo.recordOutcomes(List.of(new DailyCounts(LocalDate.now(), 10, 3, 2, 4, 1, 4, 0)));
  }

  @AfterAll
  static void drop() {
    db.close();
    SCHEMA.drop();
  }

  static List<String> cookbookQueries() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String cookbook =
        readme.substring(
            readme.indexOf("<!-- cookbook:start -->"), readme.indexOf("<!-- cookbook:end -->"));
    List<String> queries = new ArrayList<>();
    Matcher m = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL).matcher(cookbook);
    while (m.find()) {
      queries.add(m.group(1).strip());
    }
    return queries;
  }

  @Test
  void theCookbookHasAtLeastSixQueries() throws Exception {
    assertTrue(cookbookQueries().size() >= 6, "cookbook queries: " + cookbookQueries().size());
  }

  @Test
  void everyCookbookQueryRunsAndFindsTheCache() throws Exception {
    List<String> queries = cookbookQueries();
    int withRows = 0;
    try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
      for (String query : queries) {
        // The README names the default schema; the test's data lives in its own.
        String sql = query.replace("deja.", SCHEMA.name() + ".");
        try (ResultSet rs = s.executeQuery(sql)) {
          if (rs.next()) {
            withRows++;
          }
        } catch (java.sql.SQLException e) {
          throw new AssertionError("README cookbook query failed: " + query, e);
        }
      }
    }
    assertEquals(queries.size(), withRows, "every cookbook query finds rows in a populated cache");
  }
}
