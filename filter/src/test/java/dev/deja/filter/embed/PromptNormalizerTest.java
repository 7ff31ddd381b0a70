package dev.deja.filter.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromptNormalizerTest {

  @Test
  void normalize_fullWidthLettersAndDigits_becomeAscii() {
    assertEquals("abc 123", PromptNormalizer.normalize("ＡＢＣ　１２３"));
  }

  @Test
  void normalize_ligatureAndSuperscript_areDecomposed() {
    assertEquals("office x2", PromptNormalizer.normalize("ofﬁce x²"));
  }

  @Test
  void normalize_caseFolding_ignoresTheJvmLocale() {
    assertEquals("istanbul title", PromptNormalizer.normalize("ISTANBUL TITLE"));
  }

  @Test
  void normalize_accentedCyrillicAndCjkLetters_survive() {
    assertEquals("crème brûlée", PromptNormalizer.normalize("Crème Brûlée"));
    assertEquals("кошка на машине", PromptNormalizer.normalize("Кошка на машине!"));
    assertEquals("赤い猫 青い車", PromptNormalizer.normalize("赤い猫、青い車。"));
  }

  @Test
  void normalize_punctuation_becomesSpaces() {
    assertEquals("a red cat sitting on a blue car digital art",
        PromptNormalizer.normalize("a red cat, sitting on a blue car; digital art?!"));
    assertEquals("cat dog", PromptNormalizer.normalize("cat,dog"));
    assertEquals("cat dog", PromptNormalizer.normalize("\"cat\" (dog)"));
  }

  @Test
  void normalize_meaningfulSymbols_areKept() {
    assertEquals("#ff0000 t-shirt 50% r&d 1/2 c++ cat's $5",
        PromptNormalizer.normalize("#FF0000 T-Shirt, 50% R&D 1/2 C++ cat’s $5"));
  }

  @Test
  void normalize_quoteApostrophes_becomeSpaces() {
    assertEquals("hello world", PromptNormalizer.normalize("'hello' 'world'"));
  }

  @Test
  void normalize_apostropheInsideWord_isKeptAndCurlyQuotesAreNot() {
    assertEquals("it's rock'n'roll", PromptNormalizer.normalize("It’s ‘rock’n’roll’"));
    assertEquals("the cats toys", PromptNormalizer.normalize("the cats' toys"));
  }

  @Test
  void normalize_emoji_areKept() {
    assertEquals("a 🐱 on a 🚗", PromptNormalizer.normalize("A 🐱 on a 🚗!"));
  }

  @Test
  void normalize_whitespaceOfEveryKind_collapsesToOneSpace() {
    assertEquals("a b c d", PromptNormalizer.normalize(" \t a\u00A0\u2003b\n\r\nc \u3000 d  "));
  }

  @Test
  void normalize_invisibleFormatCharacters_areDeletedWithoutSpace() {
    assertEquals("colorful", PromptNormalizer.normalize("col\u00ADor\u200Bful\uFEFF"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\n", "!!!", "...,;:", "  ? ! - ' / ", "\u200B"})
  void normalize_blankOrPunctuationOnly_isEmpty(String prompt) {
    assertEquals("", PromptNormalizer.normalize(prompt));
  }

  @Test
  void normalize_null_isEmpty() {
    assertEquals("", PromptNormalizer.normalize(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ＡＢＣ　１２３", "İstanbul ǅemal ß ﬀ", "Crème, Brûlée!", "'a' 'b'",
      "ΣΑΣ ὈΔΥΣΣΕΎΣ", "a 🐱 on a 🚗", "x² ½ ㎏ ℃"})
  void normalize_isIdempotent(String prompt) {
    String once = PromptNormalizer.normalize(prompt);
    assertEquals(once, PromptNormalizer.normalize(once));
  }
}
