package dev.deja.bench.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.TestDatabase;
import dev.deja.filter.match.MatchPreset;
import dev.deja.server.DejaServer;
import dev.deja.server.Main;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16: the operators' verdicts exported by a real gateway ({@code GET /_deja/feedback.tsv})
 * are an extra pairs file the precision harness reads as it is, so they recalibrate the guard
 * with one command ({@code --pairs feedback.tsv}).
 */
class OperatorFeedbackExportTest {

  static final TestDatabase.Schema SCHEMA =
      TestDatabase.isolatedSchema(OperatorFeedbackExportTest.class);
  static final String TOKEN = "feedback-export-token-0123456789";
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static DejaServer server;

  @BeforeAll
  static void start() {
    TestDatabase.Settings db = TestDatabase.settings();
    server = Main.start("--host", "127.0.0.1", "--port", "0", "--demo-origin",
        "--demo-delay-ms", "5", "--db-url", db.url(), "--db-user", db.user(),
        "--db-password", db.password(), "--db-schema", SCHEMA.name(),
        "--eviction-interval", "1h", "--admin-token", TOKEN);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
    SCHEMA.drop();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private static String image(String prompt) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/prompt/"
        + URLEncoder.encode(prompt, StandardCharsets.UTF_8).replace("+", "%20")
        + "?seed=4&width=64&height=64")));
    assertEquals(200, r.statusCode());
    return r.headers().firstValue("X-Cache-Key").orElseThrow();
  }

  /** Caches {@code prompt}, gets {@code paraphrase} served from it, and posts the verdict. */
  private static void judgedHit(String prompt, String paraphrase, String verdict)
      throws Exception {
    String target = image(prompt);
    await(() -> server.cache().store().findExact(target).isPresent());
    String alias = image(paraphrase);
    await(() -> server.cache().store().audit().servedMatch(alias).isPresent());
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/_deja/feedback"))
        .header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("key=" + alias + "&verdict=" + verdict)));
    assertEquals(200, r.statusCode(), r.body());
  }

  private static void await(java.util.function.BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out");
      Thread.sleep(20);
    }
  }

  @Test
  void feedbackExport_isReadByTheHarnessAsAPairsFile_andRunsThroughIt(@TempDir Path dir)
      throws Exception {
    judgedHit("a cozy wooden cabin in a snowy forest at night",
        "A cozy wooden cabin in a snowy forest at night, highly detailed", "right");
    judgedHit("a red vintage bicycle leaning on a wall",
        "A red vintage bicycle leaning against a wall", "wrong");
    HttpResponse<String> export = send(HttpRequest.newBuilder(uri("/_deja/feedback.tsv"))
        .header("Authorization", "Bearer " + TOKEN));
    assertEquals(200, export.statusCode());
    Path file = dir.resolve("feedback.tsv");
    Files.writeString(file, export.body(), StandardCharsets.UTF_8);

    List<LabelledPair> pairs = EvalSets.pairsFile("feedback", file);

    assertEquals(List.of(
        new LabelledPair("feedback", "operator-right",
            "A cozy wooden cabin in a snowy forest at night, highly detailed",
            "a cozy wooden cabin in a snowy forest at night", true),
        new LabelledPair("feedback", "operator-wrong",
            "A red vintage bicycle leaning against a wall",
            "a red vintage bicycle leaning on a wall", false)), pairs);

    PrecisionHarness.Report report = PrecisionHarness.run(PrecisionHarness.Options.parse(
        new String[] {"--only-pairs", "--pairs", file.toString(), "--threads", "1",
            "--no-write"}));
    Counts balanced = report.presets.get("feedback").get(MatchPreset.BALANCED);
    assertEquals(1, balanced.positives());
    assertEquals(1, balanced.negatives());
  }
}
