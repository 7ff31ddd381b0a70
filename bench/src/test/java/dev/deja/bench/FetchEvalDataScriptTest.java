package dev.deja.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/scripts/fetch-eval-data.sh (issue #17) against local mirrors, since tests have no
 * internet: a mirror holds the manifest's owner/repository/commit/path tree. The COCO file is
 * mirrored in its upstream form (captions JSON, out of order, captions with stray white space),
 * so the flattening is tested too.
 */
class FetchEvalDataScriptTest {

  private static final Path ROOT = EvalData.repoRoot();
  private static final Path SCRIPT = ROOT.resolve("bench/scripts/fetch-eval-data.sh");
  private static final Path MANIFEST = ROOT.resolve("bench/scripts/eval-data.manifest");

  @TempDir Path tmp;

  @Test
  void fetch_fromAFileUrlMirror_writesTheHarnessLayoutAndPrintsEachLicence() throws Exception {
    Path mirror = tmp.resolve("mirror");
    Path manifest = mirror(EvalSample.dir(), mirror, true);
    Path out = tmp.resolve("eval");

    Run r = run(Map.of("DEJA_EVAL_MIRROR", mirror.toUri().toString()), "--manifest",
        manifest.toString(), out.toString());

    assertEquals(0, r.status, r.output);
    for (Entry e : entries(MANIFEST)) {
      assertArrayEquals(Files.readAllBytes(EvalSample.dir().resolve(e.output)),
          Files.readAllBytes(out.resolve(e.output)), e.output);
    }
    for (String set : List.of("paws", "coco", "drawbench", "t2i-compbench")) {
      assertTrue(r.output.contains(set + ": "), set + " missing in:\n" + r.output);
    }
    assertTrue(r.output.contains("Licence: MIT") && r.output.contains("CC BY 4.0"), r.output);
    assertTrue(r.output.contains("Cite: Yuan Zhang"), r.output);
    assertTrue(Files.readString(out.resolve("SOURCES.txt")).contains("NeurIPS 2023"));
    assertEquals(out.toAbsolutePath().normalize(), EvalData.dir(out.toString(), Map.of()));
  }

  @Test
  void fetch_withAWrongChecksum_refusesNamingTheFile_andWritesNothing() throws Exception {
    Path mirror = tmp.resolve("mirror");
    Path manifest = mirror(EvalSample.dir(), mirror, true);
    String text = Files.readString(manifest);
    String drawBench = entries(manifest).stream()
        .filter(e -> e.output.equals("DrawBench_imagen.csv")).findFirst().orElseThrow().sha256;
    Files.writeString(manifest, text.replace(drawBench, "0".repeat(64)));
    Path out = tmp.resolve("eval");

    Run r = run(Map.of(), "--mirror", mirror.toString(), "--manifest", manifest.toString(),
        out.toString());

    assertNotEquals(0, r.status, r.output);
    assertTrue(r.output.contains("sha256 mismatch for drawbench (DrawBench_imagen.csv)"), r.output);
    assertTrue(r.output.contains("expected " + "0".repeat(64)), r.output);
    assertTrue(r.output.contains("got      " + drawBench), r.output);
    assertTrue(r.output.contains("nothing was written"), r.output);
    try (var files = Files.list(out)) {
      assertEquals(List.of(), files.toList(), "files left behind");
    }
  }

  /** The pinned checksums and the COCO flattening against the data the numbers came from. */
  @Test
  void fetch_ofAMirrorOfTheSharedData_reproducesItByteForByte() throws Exception {
    Path shared = ROOT.resolve(EvalData.DEFAULT_DIR).normalize();
    // Not skipped when the data is absent: a skip would let the pinned checksums and the COCO
    // flattening rot unnoticed. The build needs the evaluation data beside the repository.
    assertTrue(Files.isRegularFile(shared.resolve("coco_captions_val2017_flat.tsv")),
        "no evaluation data at " + shared + " to check the fetch against: run"
            + " bench/scripts/fetch-eval-data.sh " + EvalData.DEFAULT_DIR + " first (README,"
            + " 'Reproduce the numbers')");
    Path mirror = tmp.resolve("mirror");
    mirror(shared, mirror, false);
    Path out = tmp.resolve("eval");

    Run r = run(Map.of(), "--mirror", mirror.toString(), out.toString());

    assertEquals(0, r.status, r.output);
    for (Entry e : entries(MANIFEST)) {
      assertArrayEquals(Files.readAllBytes(shared.resolve(e.output)),
          Files.readAllBytes(out.resolve(e.output)), e.output);
    }
  }

  @Test
  void fetch_withoutADirectory_printsUsage() throws Exception {
    Run r = run(Map.of());
    assertEquals(64, r.status, r.output);
    assertTrue(r.output.startsWith("usage: bench/scripts/fetch-eval-data.sh"), r.output);
    assertFalse(r.output.contains("unbound variable"), r.output);
  }

  // ------------------------------------------------------------------------------------------

  private record Entry(String set, String kind, String sha256, String output, String source) {}

  private record Run(int status, String output) {}

  private static List<Entry> entries(Path manifest) throws IOException {
    List<Entry> out = new ArrayList<>();
    for (String line : Files.readAllLines(manifest)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        String[] f = line.split("\t");
        out.add(new Entry(f[0], f[1], f[2], f[3], f[4]));
      }
    }
    return out;
  }

  /**
   * Lays out {@code data} (in the harness layout) as the manifest's upstream tree under {@code
   * mirror}, the COCO TSV turned back into a captions JSON; with {@code ownChecksums} returns a
   * copy of the manifest whose checksums are those of {@code data}, else the real manifest.
   */
  private Path mirror(Path data, Path mirror, boolean ownChecksums) throws Exception {
    StringBuilder manifest = new StringBuilder();
    for (Entry e : entries(MANIFEST)) {
      Path target = mirror.resolve(e.source);
      Files.createDirectories(target.getParent());
      if (e.kind.equals("coco-flatten")) {
        Files.writeString(target, cocoJson(data.resolve(e.output)));
      } else {
        Files.copy(data.resolve(e.output), target);
      }
      manifest.append(String.join("\t", e.set, e.kind,
          ownChecksums ? sha256(data.resolve(e.output)) : e.sha256, e.output, e.source))
          .append('\n');
    }
    if (!ownChecksums) {
      return MANIFEST;
    }
    Path file = tmp.resolve("test.manifest");
    Files.writeString(file, manifest);
    return file;
  }

  /** The captions JSON as COCO ships it: annotations not in id order, some with white space. */
  private static String cocoJson(Path tsv) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.putObject("info").put("description", "COCO 2017 Dataset").put("version", "1.0");
    root.putArray("licenses").addObject().put("id", 4).put("name", "Attribution License");
    ArrayNode images = root.putArray("images");
    ArrayNode annotations = root.putArray("annotations");
    List<String> rows = Files.readAllLines(tsv, StandardCharsets.UTF_8);
    for (int i = rows.size() - 1; i >= 1; i--) {
      String[] f = rows.get(i).split("\t", 3);
      String caption = i % 7 == 0 ? f[2] + " \n" : i % 11 == 0 ? " " + f[2] : f[2];
      annotations.addObject().put("image_id", Long.parseLong(f[0]))
          .put("id", Long.parseLong(f[1])).put("caption", caption);
      if (i % 5 == 0) {
        images.addObject().put("id", Long.parseLong(f[0])).put("file_name", f[0] + ".jpg");
      }
    }
    return json.writeValueAsString(root);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static Run run(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("DEJA_EVAL_MIRROR");
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] output = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "fetch-eval-data.sh did not finish");
    return new Run(p.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
