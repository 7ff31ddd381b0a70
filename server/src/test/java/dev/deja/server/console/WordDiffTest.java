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

  @Test
  void aZeroWidthCharacter_thatMakesAWordDiffer_isShownInTheMarkedWord() {
    WordDiff.Marked m = WordDiff.of("a c\u200Bat on a mat", "a cat on a mat");
    assertEquals("a <ins>c<span class=\"invisible\">U+200B</span>at</ins> on a mat",
        m.requested());
    assertEquals("a <del>cat</del> on a mat", m.matched());
  }

  @Test
  void aBidiOverride_inAPrompt_isShownAndCannotReorderTheLine() {
    WordDiff.Marked m = WordDiff.of("a dog \u202Egnp.exe", "a dog");
    assertEquals("a dog <ins><span class=\"invisible\">U+202E</span>gnp.exe</ins>",
        m.requested());
  }

  /**
   * Any client can make such pairs served hits ("cat. dog" x250 matches "cats, dogs" x250 at
   * 0.97), and the audit page diffs 20 of them per view: the aligning diff took 2 to 10 s for
   * that in a test JVM and 1.5 to 2 s in a loaded gateway.
   */
  @Test
  void anAuditPageOfHostilePairs_differingInEveryOneOf500Words_isMarkedInLinearTime() {
    String requested = String.join(" ", java.util.Collections.nCopies(250, "cat. dog"));
    String matched = String.join(" ", java.util.Collections.nCopies(250, "cats, dogs"));
    WordDiff.Marked warm = WordDiff.of(requested, matched);
    assertEquals(500, warm.requested().split("<ins>", -1).length - 1, "every word differs");
    long start = System.nanoTime();
    for (int i = 0; i < AuditPage.PAGE_SIZE; i++) {
      WordDiff.of(requested, matched);
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    org.junit.jupiter.api.Assertions.assertTrue(ms < 200, "20 diffs took " + ms + " ms");
  }

  @Test
  void longPrompts_markTheWordsTheOtherLacks() {
    String shared = String.join(" ", java.util.Collections.nCopies(150, "a red fox"));
    WordDiff.Marked m = WordDiff.of(shared + " in snow", "snow " + shared + " at night");
    org.junit.jupiter.api.Assertions.assertTrue(m.requested().endsWith("fox <ins>in</ins> snow"),
        m.requested());
    org.junit.jupiter.api.Assertions.assertTrue(m.matched().startsWith("snow a red fox"),
        m.matched());
    org.junit.jupiter.api.Assertions.assertTrue(
        m.matched().endsWith("fox <del>at</del> <del>night</del>"), m.matched());
  }
}
