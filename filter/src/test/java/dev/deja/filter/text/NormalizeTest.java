package dev.deja.filter.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NormalizeTest {

  @Test
  void normalize_fullWidthLettersAndDigits_becomeAscii() {
    assertEquals("abc 123", Normalize.forEmbedding("ＡＢＣ　１２３"));
  }

  @Test
  void normalize_ligatureAndSuperscript_areDecomposed() {
    assertEquals("office x2", Normalize.forEmbedding("ofﬁce x²"));
  }

  @Test
  void normalize_caseFolding_ignoresTheJvmLocale() {
    assertEquals("istanbul title", Normalize.forEmbedding("ISTANBUL TITLE"));
  }

  @Test
  void normalize_accentedCyrillicAndCjkLetters_survive() {
    assertEquals("crème brûlée", Normalize.forEmbedding("Crème Brûlée"));
    assertEquals("кошка на машине", Normalize.forEmbedding("Кошка на машине!"));
    assertEquals("赤い猫 青い車", Normalize.forEmbedding("赤い猫、青い車。"));
  }

  @Test
  void normalize_punctuation_becomesSpaces() {
    assertEquals("a red cat sitting on a blue car digital art",
        Normalize.forEmbedding("a red cat, sitting on a blue car; digital art?!"));
    assertEquals("cat dog", Normalize.forEmbedding("cat,dog"));
    assertEquals("cat dog", Normalize.forEmbedding("\"cat\" (dog)"));
  }

  @Test
  void normalize_meaningfulSymbols_areKept() {
    assertEquals("#ff0000 t-shirt 50% r&d 1/2 c++ cat's $5",
        Normalize.forEmbedding("#FF0000 T-Shirt, 50% R&D 1/2 C++ cat’s $5"));
  }

  @Test
  void normalize_quoteApostrophes_becomeSpaces() {
    assertEquals("hello world", Normalize.forEmbedding("'hello' 'world'"));
  }

  @Test
  void normalize_apostropheInsideWord_isKeptAndCurlyQuotesAreNot() {
    assertEquals("it's rock'n'roll", Normalize.forEmbedding("It’s ‘rock’n’roll’"));
    assertEquals("the cats toys", Normalize.forEmbedding("the cats' toys"));
  }

  @Test
  void normalize_emoji_areKept() {
    assertEquals("a 🐱 on a 🚗", Normalize.forEmbedding("A 🐱 on a 🚗!"));
  }

  @Test
  void normalize_whitespaceOfEveryKind_collapsesToOneSpace() {
    assertEquals("a b c d", Normalize.forEmbedding(" \t a\u00A0\u2003b\n\r\nc \u3000 d  "));
  }

  @Test
  void normalize_invisibleFormatCharacters_areDeletedWithoutSpace() {
    assertEquals("colorful", Normalize.forEmbedding("col\u00ADor\u200Bful\uFEFF"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\n", "!!!", "...,;:", "  ? ! - ' / ", "\u200B"})
  void normalize_blankOrPunctuationOnly_isEmpty(String prompt) {
    assertEquals("", Normalize.forEmbedding(prompt));
  }

  @Test
  void normalize_null_isEmpty() {
    assertEquals("", Normalize.forEmbedding(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ＡＢＣ　１２３", "İstanbul ǅemal ß ﬀ", "Crème, Brûlée!", "'a' 'b'",
      "ΣΑΣ ὈΔΥΣΣΕΎΣ", "a 🐱 on a 🚗", "x² ½ ㎏ ℃"})
  void normalize_isIdempotent(String prompt) {
    String once = Normalize.forEmbedding(prompt);
    assertEquals(once, Normalize.forEmbedding(once));
  }

  @Test
  void forGuard_foldsWidthAndCase_keepsPunctuation() {
    assertEquals("abc 123, it's a cat!", Normalize.forGuard("ＡＢＣ　１２３, It's a CAT!"));
    assertEquals("istanbul", Normalize.forGuard("ISTANBUL"));
    assertEquals("", Normalize.forGuard(null));
  }

  @Test
  void forKey_isTheDecodedPromptUnchanged() {
    assertEquals(" Cafe\u0301  ", Normalize.forKey(" Cafe\u0301  "));
  }
}
