package dev.deja.bench;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The tiny evaluation set the tests ship ({@code src/test/resources/eval-sample}): the public
 * sets' layout with the project's own sentences, so no test needs the fetched data.
 */
public final class EvalSample {

  private EvalSample() {}

  public static Path dir() {
    try {
      return Path.of(EvalSample.class.getResource("/eval-sample/README.md").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
