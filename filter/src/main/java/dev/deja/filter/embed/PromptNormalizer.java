package dev.deja.filter.embed;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one text normalization applied before a prompt is embedded, cached or compared.
 *
 * <ol>
 *   <li>Unicode NFKC (full-width {@code Ａ１} becomes {@code a1}, ligatures split), then case
 *       folding with {@link Locale#ROOT} (never the JVM's locale: Turkish {@code I} stays {@code
 *       i}), then NFKC again so the result is stable when normalized twice.
 *   <li>Invisible format characters (soft hyphen, zero-width space and joiner, BOM) are deleted;
 *       typographic apostrophes and hyphens become {@code '} and {@code -}.
 *   <li>Punctuation becomes spacing rather than being deleted together with letters: only
 *       characters that are neither letters, digits nor marks of any script are affected, so
 *       accented, CJK and Cyrillic text survives (the original system's ASCII-only normalization
 *       erased non-English prompts). Kept because they change the picture: {@code # % & + / -},
 *       an apostrophe between letters or digits ({@code cat's}), currency signs and other symbols
 *       such as emoji ({@code 🐱}).
 *   <li>Whitespace of every kind is collapsed to one space and trimmed.
 * </ol>
 *
 * <p>A prompt with no letter, digit or symbol left (blank or punctuation only) normalizes to the
 * empty string; callers skip the semantic step for it. The function is idempotent.
 */
public final class PromptNormalizer {

  /** Zero-width and other invisible format characters: removed without leaving a space. */
  private static final Pattern FORMAT = Pattern.compile("\\p{Cf}+");
  private static final Pattern APOSTROPHES = Pattern.compile("[\u2018\u2019\u02BC\uFF07]");
  private static final Pattern HYPHENS = Pattern.compile("[\u2010\u2011\u2012\u2013\u2212]");
  /** Punctuation and modifier/math symbols that carry no meaning for the image. */
  private static final Pattern PUNCTUATION =
      Pattern.compile("[\\p{P}\\p{Sk}\\p{Sm}&&[^#%&+'\\-/]]");
  /** An apostrophe that is not inside a word is a quote mark. */
  private static final Pattern QUOTE_APOSTROPHE =
      Pattern.compile("(?<![\\p{L}\\p{N}])'|'(?![\\p{L}\\p{N}])");
  private static final Pattern SEPARATORS = Pattern.compile("[\\p{Z}\\s\\p{Cc}]+");
  /** Something worth embedding: a letter, digit or symbol (currency, emoji) of any script. */
  private static final Pattern CONTENT = Pattern.compile("[\\p{L}\\p{N}\\p{Sc}\\p{So}]");

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
    text = Normalizer.normalize(text, Normalizer.Form.NFKC);
    text = FORMAT.matcher(text).replaceAll("");
    text = APOSTROPHES.matcher(text).replaceAll("'");
    text = HYPHENS.matcher(text).replaceAll("-");
    text = PUNCTUATION.matcher(text).replaceAll(" ");
    text = QUOTE_APOSTROPHE.matcher(text).replaceAll(" ");
    text = SEPARATORS.matcher(text).replaceAll(" ").strip();
    return CONTENT.matcher(text).find() ? text : "";
  }
}
