package dev.deja.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.bench.precision.PrecisionHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #17: one way to say where the evaluation data is, and one message when it is not there. */
class EvalDataTest {

  @Test
  void dir_option_winsOverTheEnvironment() {
    Path sample = EvalSample.dir();
    assertEquals(sample.toAbsolutePath().normalize(),
        EvalData.dir(sample.toString(), Map.of(EvalData.ENV, "/nowhere")));
  }

  @Test
  void dir_withoutOption_readsTheEnvironment() {
    Path sample = EvalSample.dir();
    assertEquals(sample.toAbsolutePath().normalize(),
        EvalData.dir(null, Map.of(EvalData.ENV, sample.toString())));
  }

  @Test
  void dir_missing_namesTheFetchScriptTheOptionAndTheVariable(@TempDir Path empty) {
    EvalData.Missing e = assertThrows(EvalData.Missing.class,
        () -> EvalData.dir(empty.toString(), Map.of()));
    String m = e.getMessage();
    assertTrue(m.contains(empty.toString()), m);
    assertTrue(m.contains("bench/scripts/fetch-eval-data.sh"), m);
    assertTrue(m.contains("--eval-dir") && m.contains("DEJA_EVAL_DIR"), m);
  }

  @Test
  void dir_byDefault_isBesideTheRepositoryRoot() {
    EvalData.Missing e;
    try {
      Path found = EvalData.dir(null, Map.of());
      assertEquals(EvalData.repoRoot().resolve("../shared/eval").normalize(), found);
      return;
    } catch (EvalData.Missing missing) {
      e = missing;
    }
    assertTrue(e.getMessage().contains(EvalData.repoRoot().resolve("../shared/eval").normalize()
        .toString()), e.getMessage());
  }

  @Test
  void repoRoot_holdsThePomThatListsBench() throws Exception {
    assertTrue(Files.readString(EvalData.repoRoot().resolve("pom.xml"))
        .contains("<module>bench</module>"));
  }

  @Test
  void harnessMain_withoutData_exitsNonZeroWithOneMessageAndNoStackTrace(@TempDir Path empty)
      throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"),
        PrecisionHarness.class.getName(), "--eval-dir", empty.toString())
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "harness did not stop");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.startsWith("evaluation data not found: "), out);
    assertTrue(out.contains("bench/scripts/fetch-eval-data.sh"), out);
    assertFalse(out.contains("Exception") || out.contains("\tat "), out);
    assertEquals(3, List.of(out.strip().split("\n")).size(), out);
  }
}
