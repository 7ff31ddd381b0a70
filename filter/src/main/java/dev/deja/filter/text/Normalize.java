package dev.deja.filter.text;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Every normalization of prompt text in Deja, and the only place one may be written: the cache
 * key, the embedding and the match guard each call their named function here. They differ in
 * strength on purpose; a new use gets its own named function here, not a private copy.
 *
 * <ul>
 *   <li>{@link #forKey}: none at all, the prompt exactly as decoded (see there why);
 *   <li>{@link #forGuard}: Unicode NFKC and case folding only, because the guard's tokenizer reads
 *       punctuation itself (commas separate clauses, apostrophes make "n't" a negation);
 *   <li>{@link #forEmbedding}: the full normalization below, also the key of the embedder's cache
 *       and the normalized prompt stored with an entry.
 * </ul>
 *
 * <p>{@link #forEmbedding}, step by step:
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
public final class Normalize {

  private Normalize() {}

  /**
   * The prompt as the cache key uses it: unchanged. The origin receives these very code points,
   * and "cafe\u0301" or " blue bird" may be drawn differently from "café" or "blue bird"; keying
   * a normalized form would mean guessing how every server between Deja and the image model
   * normalizes. Such variants still meet as semantic hits, through {@link #forEmbedding}.
   */
  public static String forKey(String prompt) {
    return prompt;
  }

  /**
   * The prompt as the match guard tokenizes it: Unicode NFKC (full-width letters and digits,
   * ligatures), then lower case in {@link Locale#ROOT}; {@code null} is the empty string.
   * Punctuation, spacing and apostrophes are kept: the guard's tokenizer gives them meaning.
   */
  public static String forGuard(String prompt) {
    String text = prompt == null ? "" : prompt;
    return Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
  }

  /**
   * Normalizes a prompt for embedding and comparison. One pass over the text after the Unicode
   * steps, because it runs on every request including cache hits.
   *
   * @return the normalized text; empty (never null) for a null, blank or punctuation-only prompt
   */
  public static String forEmbedding(String prompt) {
    if (prompt == null || prompt.isEmpty()) {
      return "";
    }
    String text;
    if (isAscii(prompt)) {
      text = prompt.toLowerCase(Locale.ROOT); // ASCII is already NFKC
    } else {
      text = Normalizer.normalize(prompt, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
      text = Normalizer.normalize(text, Normalizer.Form.NFKC);
    }
    StringBuilder out = new StringBuilder(text.length());
    boolean pendingSpace = false;
    boolean content = false;
    int previous = -1; // last code point appended, or -1 after a space
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      int type = Character.getType(cp);
      if (type == Character.FORMAT) {
        continue; // soft hyphen, zero-width space/joiner, BOM: deleted without a space
      }
      cp = canonicalPunctuation(cp);
      if (cp == '\'') {
        if (!isLetterOrDigit(previous) || pendingSpace || !isLetterOrDigit(next(text, i))) {
          pendingSpace = true; // a quote mark, not an apostrophe inside a word
          continue;
        }
      } else if (isSeparator(cp, type) || isDroppedPunctuation(cp, type)) {
        pendingSpace = true;
        continue;
      }
      if (pendingSpace && out.length() > 0) {
        out.append(' ');
      }
      pendingSpace = false;
      out.appendCodePoint(cp);
      previous = cp;
      content |= isContent(type);
    }
    return content ? out.toString() : "";
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Typographic apostrophes and hyphens become {@code '} and {@code -}. */
  private static int canonicalPunctuation(int cp) {
    return switch (cp) {
      case 0x2018, 0x2019, 0x02BC -> '\'';
      case 0x2010, 0x2011, 0x2012, 0x2013, 0x2212 -> '-';
      default -> cp;
    };
  }

  /** The next code point that is not an invisible format character, or -1 at the end. */
  private static int next(String text, int from) {
    for (int i = from; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (Character.getType(cp) != Character.FORMAT) {
        return cp;
      }
      i += Character.charCount(cp);
    }
    return -1;
  }

  private static boolean isLetterOrDigit(int cp) {
    return cp >= 0 && isLetterOrNumber(Character.getType(cp));
  }

  private static boolean isSeparator(int cp, int type) {
    return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR || type == Character.CONTROL
        || cp == ' ' || cp == '\t' || cp == '\n' || cp == 0x0B || cp == '\f' || cp == '\r';
  }

  /** Punctuation and modifier/math symbols, except the ones that change the picture. */
  private static boolean isDroppedPunctuation(int cp, int type) {
    switch (type) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION,
          Character.START_PUNCTUATION, Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION, Character.MODIFIER_SYMBOL, Character.MATH_SYMBOL:
        return KEPT_PUNCTUATION.indexOf(cp) < 0;
      default:
        return false;
    }
  }

  private static final String KEPT_PUNCTUATION = "#%&+'-/";

  private static boolean isLetterOrNumber(int type) {
    switch (type) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER, Character.OTHER_NUMBER:
        return true;
      default:
        return false;
    }
  }

  /** Something worth embedding: a letter, digit, currency sign or other symbol (emoji). */
  private static boolean isContent(int type) {
    return isLetterOrNumber(type) || type == Character.CURRENCY_SYMBOL
        || type == Character.OTHER_SYMBOL;
  }
}
