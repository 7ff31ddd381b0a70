package dev.deja.filter.embed;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one text normalization applied before a prompt is embedded or compared.
 *
 * <p>Unicode NFKC, case folding with {@link Locale#ROOT}, whitespace collapsed. Punctuation is
 * turned into spacing rather than deleted together with letters: only characters that are neither
 * letters, digits nor marks of any script are affected, so accented, CJK and Cyrillic text survives
 * (the original system's ASCII-only normalization erased non-English prompts).
 */
public final class PromptNormalizer {

  private static final Pattern SEPARATORS = Pattern.compile("[\\p{Z}\\s\\p{Cc}\\p{Cf}]+");
  /** Punctuation that carries no meaning for the image; commas and the like become spaces. */
  private static final Pattern PUNCTUATION = Pattern.compile("[\\p{P}\\p{S}&&[^#%&+'\\-/]]");

  private PromptNormalizer() {}

  /**
   * Normalizes a prompt for embedding and comparison.
   *
   * @return the normalized text; empty (never null) for a null, blank or punctuation-only prompt
   */
  public static String normalize(String prompt) {
    if (prompt == null || prompt.isEmpty()) {
      return "";
    }
    String text = Normalizer.normalize(prompt, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    text = PUNCTUATION.matcher(text).replaceAll(" ");
    return SEPARATORS.matcher(text).replaceAll(" ").strip();
  }
}
