package dev.deja.server.console;

import dev.deja.db.MatchFeedback;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * The operators' verdicts as the precision harness's extra pairs file ({@code --pairs FILE}):
 * {@code prompt_a<TAB>prompt_b<TAB>label<TAB>kind}, label 1 for a right match and 0 for a wrong
 * one. Columns after the kind (similarity, embedding model, partition, who, when) are for people;
 * the harness ignores them. Prompts are written as clients sent them, even when one starts with
 * {@code =}, {@code +}, {@code -} or {@code @} (a spreadsheet formula): a {@code '} in front would
 * change the pair the harness measures; the README says to import the file as text.
 */
final class FeedbackTsv {

  static final String CONTENT_TYPE = "text/tab-separated-values;charset=utf-8";
  static final String RIGHT = "operator-right";
  static final String WRONG = "operator-wrong";

  private FeedbackTsv() {}

  static void write(List<MatchFeedback> verdicts, Writer out) throws IOException {
    out.write("# Deja operator verdicts on served semantic hits. Recalibrate with the precision"
        + " harness: --pairs feedback.tsv\n");
    out.write("# prompt_a (requested)\tprompt_b (served image's prompt)\tlabel\tkind\tsimilarity"
        + "\tembedding_model\tpartition\tdecided_by\tdecided_at\n");
    for (MatchFeedback f : verdicts) {
      String line = String.join("\t", field(f.requestedPrompt()), field(f.matchedPrompt()),
          f.correct() ? "1" : "0", f.correct() ? RIGHT : WRONG,
          Double.toString(f.similarity()), field(f.embeddingModelId()), field(f.bucket()),
          field(f.decidedBy()), f.decidedAt().toString());
      // The reader skips lines starting with '#' and strips each field: a leading space keeps a
      // prompt such as "#sunset beach" a pair instead of a comment.
      out.write(line.startsWith("#") ? " " + line : line);
      out.write('\n');
    }
  }

  /** One field: tabs and line breaks would split the row, so they become spaces. */
  static String field(String s) {
    return s == null ? "" : s.replaceAll("[\\t\\r\\n]+", " ");
  }
}
