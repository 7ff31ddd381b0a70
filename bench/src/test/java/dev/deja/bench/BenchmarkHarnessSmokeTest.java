package dev.deja.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deja.bench.http.HttpBenchmark;
import dev.deja.bench.http.ReferenceServers;
import dev.deja.bench.http.StandInServer;
import dev.deja.bench.report.Report;
import dev.deja.bench.scale.ScaleBenchmark;
import dev.deja.db.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark harness end to end at tiny sizes (issue #7): reference servers, the Deja filter
 * behind Jetty, the load generator over every HTTP scenario, the scale benchmark through {@code
 * findNearest} on the real PostgreSQL, and the report. Fails without a database (see {@link
 * TestDatabase}); the numbers are not checked, only that every piece produced them.
 */
class BenchmarkHarnessSmokeTest {

  private static final TestDatabase.Schema HTTP = TestDatabase.isolatedSchema(
      BenchmarkHarnessSmokeTest.class);
  private static final TestDatabase.Schema SCALE = TestDatabase.isolatedSchema(ScaleBenchmark.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @AfterAll
  static void dropSchemas() {
    HTTP.drop();
    SCALE.drop();
  }

  @Test
  void harness_runsEveryScenarioAtTinySizes_andRendersTheReport() throws Exception {
    TestDatabase.Settings db = TestDatabase.settings();
    Path results = dir.resolve("results");
    try (ReferenceServers refs = ReferenceServers.start(0, 0, 200, 100 * 1024);
        StandInServer deja = StandInServer.start(0, "http://127.0.0.1:" + refs.originPort(),
            Map.of("db.url", db.url(), "db.user", db.user(), "db.password", db.password(),
                "db.schema", HTTP.name()))) {
      Map<String, String> opts = new LinkedHashMap<>();
      opts.put("deja-port", Integer.toString(deja.port()));
      opts.put("ceiling-port", Integer.toString(refs.ceilingPort()));
      opts.put("origin-port", Integer.toString(refs.originPort()));
      opts.put("server-pid", Long.toString(ProcessHandle.current().pid()));
      opts.put("out", results.toString());
      opts.put("delay-ms", "200");
      opts.put("warmup", "0.3");
      opts.put("measure", "1");
      opts.put("miss-measure", "1.5");
      opts.put("miss-connections", "2");
      opts.put("connections", "1,4");
      opts.put("semantic-connections", "2");
      opts.put("exact-prompts", "5");
      opts.put("semantic-bases", "10");
      opts.put("eval-dir", EvalSample.dir().toString());
      List<Path> files = HttpBenchmark.run(opts);
      assertEquals(3, files.size());
    }
    JsonNode exact = read(results, "http-exact");
    for (JsonNode run : exact.path("runs")) {
      assertTrue(run.path("requests").asLong() > 0, run::toString);
      if (run.path("target").asText().equals("deja")) {
        assertEquals(run.path("requests").asLong(),
            run.path("classes").path("HIT/exact").asLong(), "every request an exact hit");
      }
    }
    JsonNode semantic = read(results, "http-semantic");
    assertTrue(semantic.path("runs").path(0).path("classes").path("HIT/semantic").asLong() > 0,
        semantic::toString);
    assertTrue(read(results, "http-miss").path("runs").path(1).path("classes").has("MISS"));

    ScaleBenchmark.run(Map.of("db-url", db.url(), "db-user", db.user(), "db-password",
        db.password(), "sizes", "400", "queries", "10", "texts", "600", "eval-dir",
        EvalSample.dir().toString(), "keep-schema", SCALE.name(), "work", dir.resolve("work").toString(), "out", results.toString()));
    JsonNode scale = read(results, "scale");
    JsonNode queries = scale.path("sizes").path(0).path("queries");
    // Below the HNSW threshold every partition is scanned exactly: recall must be perfect.
    assertEquals(1.0, queries.path("large-near").path("recall_mean").asDouble());
    assertEquals(1.0, queries.path("small-near").path("recall_mean").asDouble());

    Path doc = dir.resolve("BENCHMARKS.md");
    Files.writeString(doc, "# Benchmarks\n\n## Embedding\n\nkept as is\n");
    Report.render(results, doc, dir.resolve("plots"));
    String text = Files.readString(doc);
    assertTrue(text.contains("## Embedding\n\nkept as is"), text);
    assertTrue(text.contains("## HTTP") && text.contains("## Scale"), text);
    assertTrue(Files.size(dir.resolve("plots/exact-throughput.png")) > 1000);
    assertTrue(Files.size(dir.resolve("plots/scale-latency.png")) > 1000);
  }

  private static JsonNode read(Path results, String scenario) throws Exception {
    try (var files = Files.list(results)) {
      Path f = files.filter(p -> p.getFileName().toString().endsWith("-" + scenario + ".json"))
          .findFirst().orElseThrow(() -> new AssertionError("no " + scenario + " result"));
      return JSON.readTree(f.toFile());
    }
  }
}
