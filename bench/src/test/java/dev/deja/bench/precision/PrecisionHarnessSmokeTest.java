package dev.deja.bench.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.bench.EvalSample;
import dev.deja.filter.match.MatchPreset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness runs end to end on a tiny pairs file with the real embedder, so it cannot rot. */
class PrecisionHarnessSmokeTest {

  @Test
  void run_onATinyPairsFile_reportsCountsAndWritesDocJsonAndPlot(@TempDir Path dir)
      throws Exception {
    Path pairs = dir.resolve("tiny.tsv");
    Files.writeString(pairs, String.join("\n",
        "# prompt_a\tprompt_b\tlabel",
        "a kitten sleeping on a sofa\ta cat sleeping on a couch\t1",
        "a castle on a hill, highly detailed, 8k\ta castle on a hill\t1",
        "a green bench and a blue bowl\ta blue bench and a green bowl\t0",
        "three dogs on the street\tfour dogs on the street\t0",
        "a cat on the left of a dog\ta cat on the right of a dog\t0",
        ""), StandardCharsets.UTF_8);
    Path out = dir.resolve("docs");

    PrecisionHarness.Options o = PrecisionHarness.Options.parse(new String[] {
        "--only-pairs", "--pairs", pairs.toString(), "--out", out.toString(), "--threads", "1"});
    PrecisionHarness.Report report = PrecisionHarness.run(o);
    report.write(out);

    Counts balanced = report.presets.get("tiny").get(MatchPreset.BALANCED);
    assertEquals(2, balanced.positives());
    assertEquals(3, balanced.negatives());
    assertEquals(0, balanced.fp, "swaps must not be served at BALANCED");
    assertTrue(Files.readString(out.resolve("PRECISION.md")).contains("| tiny | BALANCED |"));
    assertTrue(Files.readString(out.resolve("precision.json")).contains("\"BALANCED\""));
    assertTrue(Files.size(out.resolve("precision-roc.png")) > 1000);
  }

  @Test
  void run_onTheShippedSampleEvalDir_readsEverySet() throws Exception {
    PrecisionHarness.Options o = PrecisionHarness.Options.parse(new String[] {
        "--eval-dir", EvalSample.dir().toString(), "--coco-images", "10", "--threads", "1",
        "--no-write"});
    PrecisionHarness.Report report = PrecisionHarness.run(o);

    for (String set : new String[] {EvalSets.PAWS, EvalSets.COCO, EvalSets.SWAPS,
        EvalSets.IMAGE_POSITIVES}) {
      Counts c = report.presets.get(set).get(MatchPreset.BALANCED);
      assertTrue(c.positives() + c.negatives() > 0, set + " is empty");
    }
    assertEquals(120, report.presets.get(EvalSets.PAWS).get(MatchPreset.BALANCED).positives()
        + report.presets.get(EvalSets.PAWS).get(MatchPreset.BALANCED).negatives());
  }

  @Test
  void pairsFile_withABadLabel_isRejectedNamingTheLine(@TempDir Path dir) throws Exception {
    Path pairs = dir.resolve("bad.tsv");
    Files.writeString(pairs, "a\tb\tyes\n", StandardCharsets.UTF_8);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> EvalSets.pairsFile("bad", pairs));
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
  }
}
