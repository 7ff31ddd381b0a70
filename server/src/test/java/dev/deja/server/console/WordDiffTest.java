package dev.deja.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Word-by-word differences between the requested and the matched prompt. */
class WordDiffTest {

  @Test
  void changedWords_areMarkedOnTheirSide_sharedWordsAreNot() {
    WordDiff.Marked m = WordDiff.of("a red fox in snow", "a brown fox in snow at night");
    assertEquals("a <ins>red</ins> fox in snow", m.requested());
    assertEquals("a <del>brown</del> fox in snow <del>at</del> <del>night</del>", m.matched());
  }

  @Test
  void caseAndPunctuation_areNotDifferences() {
    WordDiff.Marked m = WordDiff.of("A cabin at night, highly detailed", "a cabin at night");
    assertEquals("A cabin at night, <ins>highly</ins> <ins>detailed</ins>", m.requested());
    assertEquals("a cabin at night", m.matched());
  }

  @Test
  void markupInAPrompt_isEscapedInsideTheMarks() {
    WordDiff.Marked m = WordDiff.of("<b>cat</b> sleeping", "a dog sleeping");
    assertEquals("<ins>&lt;b&gt;cat&lt;/b&gt;</ins> sleeping", m.requested());
    assertEquals("<del>a</del> <del>dog</del> sleeping", m.matched());
  }

  @Test
  void aMissingMatchedPrompt_rendersEmpty() {
    assertEquals("", WordDiff.of("a cat", null).matched());
  }
}
