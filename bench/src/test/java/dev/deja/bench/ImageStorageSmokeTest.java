package dev.deja.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deja.bench.http.ImageStorageBenchmark;
import dev.deja.db.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image-storage benchmark end to end at tiny sizes (issue #13): S3Mock started by the
 * benchmark from the jar the build copies, both backends, both tiers, the object store alone, the
 * footprint, and the rendered section. Fails without a database (see {@link TestDatabase}); the
 * numbers are not checked, only that every piece produced them and every hit was a hit.
 */
class ImageStorageSmokeTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void benchmark_measuresBothBackendsAndTiers_andRendersTheSection() throws Exception {
    TestDatabase.Settings db = TestDatabase.settings();
    Path results = dir.resolve("results");
    Path doc = dir.resolve("BENCHMARKS.md");
    Files.writeString(doc, "# Benchmarks\n\n## HTTP\n\nkept as is\n");
    Map<String, String> opts = new LinkedHashMap<>();
    opts.put("db-url", db.url());
    opts.put("db-user", db.user());
    opts.put("db-password", db.password());
    // Its own schemas (the benchmark drops them): a benchmark run on the same database is safe.
    opts.put("schema-prefix",
        TestDatabase.isolatedSchema(ImageStorageSmokeTest.class).name() + "_");
    opts.put("s3mock-jar", System.getProperty("deja.s3mock.jar"));
    opts.put("sizes", "8192");
    opts.put("keys", "4");
    opts.put("connections", "2");
    opts.put("warmup", "0.2");
    opts.put("first-warmup", "0.2");
    opts.put("measure", "0.5");
    opts.put("reference", "0.3");
    opts.put("footprint-entries", "6");
    opts.put("footprint-bytes", "4096");
    opts.put("out", results.toString());
    opts.put("doc", doc.toString());

    JsonNode result = JSON.readTree(ImageStorageBenchmark.run(opts).toFile());

    assertEquals(4, result.path("runs").size(), result::toString);
    for (JsonNode run : result.path("runs")) {
      assertTrue(run.path("requests").asLong() > 0, run::toString);
      assertEquals(run.path("requests").asLong(), run.path("classes").path("HIT/exact").asLong(),
          () -> "every request an exact hit: " + run);
    }
    assertEquals(2, result.path("s3_alone").size(), result::toString);
    for (JsonNode footprint : result.path("footprint")) {
      assertTrue(footprint.path("cache_entry").path("total").asLong() > 0, footprint::toString);
    }
    JsonNode s3 = result.path("footprint").path(1);
    assertEquals("s3", s3.path("backend").asText());
    assertEquals(6, s3.path("objects").asLong(), "one object per distinct image");
    String text = Files.readString(doc);
    assertTrue(text.contains("## HTTP\n\nkept as is"), text);
    assertTrue(text.contains("## Image storage") && text.contains("| 8 KiB | s3 | cold |"), text);
  }
}
