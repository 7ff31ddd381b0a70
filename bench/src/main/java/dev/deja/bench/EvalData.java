package dev.deja.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the public evaluation data lives (PAWS, COCO captions, DrawBench, T2I-CompBench), for the
 * precision harness and every benchmark: {@value #OPTION} DIR, else the {@value #ENV} environment
 * variable, else {@value #DEFAULT_DIR} relative to the repository root. The data is not in the
 * repository: {@value #FETCH_SCRIPT} downloads it in this layout.
 */
public final class EvalData {

  public static final String OPTION = "--eval-dir";
  public static final String ENV = "DEJA_EVAL_DIR";
  /** Relative to the repository root: a checkout beside the data, as on the development machine. */
  public static final String DEFAULT_DIR = "../shared/eval";
  public static final String FETCH_SCRIPT = "bench/scripts/fetch-eval-data.sh";
  /** Files every reader needs; the directory counts as present only when all are there. */
  static final List<String> REQUIRED = List.of("paws_wiki_final_dev.tsv",
      "coco_captions_val2017_flat.tsv", "DrawBench_imagen.csv",
      "t2i_compbench_val/color_val.txt");

  private EvalData() {}

  /** The evaluation directory chosen by {@code option} (may be null) or the environment. */
  public static Path dir(String option) {
    return dir(option, System.getenv());
  }

  static Path dir(String option, Map<String, String> env) {
    String how;
    Path dir;
    if (option != null && !option.isBlank()) {
      dir = Path.of(option);
      how = OPTION + " " + option;
    } else if (env.get(ENV) != null && !env.get(ENV).isBlank()) {
      dir = Path.of(env.get(ENV));
      how = ENV + "=" + env.get(ENV);
    } else {
      dir = repoRoot().resolve(DEFAULT_DIR);
      how = "the default " + DEFAULT_DIR + " beside the repository";
    }
    dir = dir.toAbsolutePath().normalize();
    for (String file : REQUIRED) {
      if (!Files.isRegularFile(dir.resolve(file))) {
        throw new Missing("evaluation data not found: " + dir + " (from " + how + ") has no "
            + file + ".\nFetch it with:  " + FETCH_SCRIPT + " DIR\nthen pass " + OPTION
            + " DIR or set " + ENV + "=DIR.");
      }
    }
    return dir;
  }

  /**
   * The repository root: the nearest directory, from the working directory up, whose pom.xml
   * lists the bench module; the working directory itself when there is none.
   */
  public static Path repoRoot() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      Path pom = p.resolve("pom.xml");
      try {
        if (Files.isRegularFile(pom) && Files.readString(pom).contains("<module>bench</module>")) {
          return p;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + pom, e);
      }
    }
    return here;
  }

  /**
   * Runs a benchmark's main body; missing evaluation data ends the JVM with the message alone
   * and exit status 2, no stack trace.
   */
  public static void exitIfMissing(Main body) throws Exception {
    try {
      body.run();
    } catch (Missing e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }

  /** A main body. */
  @FunctionalInterface
  public interface Main {
    void run() throws Exception;
  }

  /** The evaluation directory is absent or incomplete; the message says how to fetch it. */
  public static final class Missing extends IllegalStateException {
    Missing(String message) {
      super(message);
    }
  }
}
