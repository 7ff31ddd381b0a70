package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Kind;
import dev.deja.filter.match.PromptAnalysis.Script;
import java.util.ArrayList;
import java.util.List;

/**
 * First stage of the analysis: splits the guard-normalized text into words, single CJK characters,
 * emoji, negated clitics and breaks (punctuation), and decides the prompt's script. Plain
 * code-point scanning, no regular expressions on the hot path.
 */
final class Tokenizer {

  /** The tokens of a prompt, all {@link Kind#CONTENT} except clitic negations and breaks. */
  record Scan(List<DraftToken> tokens, Script script) {}

  private Tokenizer() {}

  static Scan scan(String text) {
    List<DraftToken> tokens = new ArrayList<>();
    int latin = 0;
    int cjk = 0;
    int other = 0;
    StringBuilder word = new StringBuilder();
    int n = text.length();
    for (int i = 0; i < n; ) {
      int cp = text.codePointAt(i);
      int len = Character.charCount(cp);
      if (isCjk(cp)) {
        flush(word, tokens);
        tokens.add(new DraftToken(new String(Character.toChars(cp)), Kind.CONTENT));
        cjk++;
      } else if (Character.getType(cp) == Character.OTHER_SYMBOL) {
        // Emoji and pictographs: BGE maps them all to one unknown token, so "a 🐱 on a car" and
        // "a 🐶 on a car" embed alike; as content words they must match like any other noun.
        flush(word, tokens);
        tokens.add(new DraftToken(new String(Character.toChars(cp)), Kind.CONTENT));
      } else if (cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F)
          || Character.getType(cp) == Character.MODIFIER_SYMBOL) {
        // Joiners, variation selectors and skin-tone modifiers only style an emoji.
        flush(word, tokens);
        i += len;
        continue;
      } else if (Character.isLetterOrDigit(cp) || isMark(cp)) {
        word.appendCodePoint(cp);
        if (Character.isLetter(cp)) {
          if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.LATIN) {
            latin++;
          } else {
            other++;
          }
        }
      } else if ((cp == '\'' || cp == '\u2019') && word.length() > 0 && i + len < n
          && Character.isLetter(text.codePointAt(i + len))) {
        // n't -> not; 's and other clitics are dropped
        int next = i + len;
        int end = next;
        while (end < n && Character.isLetter(text.codePointAt(end))) {
          end += Character.charCount(text.codePointAt(end));
        }
        String clitic = text.substring(next, end);
        if (clitic.equals("t") && word.length() > 1 && word.charAt(word.length() - 1) == 'n') {
          word.setLength(word.length() - 1);
          flush(word, tokens);
          tokens.add(new DraftToken("not", Kind.NEGATION));
        } else {
          flush(word, tokens);
        }
        i = end;
        continue;
      } else {
        flush(word, tokens);
        if (isBreakPunctuation(cp) && !tokens.isEmpty()
            && tokens.get(tokens.size() - 1).kind != Kind.BREAK) {
          tokens.add(new DraftToken(",", Kind.BREAK));
        }
      }
      i += len;
    }
    flush(word, tokens);
    Script script;
    if (latin == 0 && cjk == 0 && other == 0) {
      script = Script.NONE;
    } else if (latin >= cjk && latin >= other) {
      script = Script.LATIN;
    } else if (cjk >= other) {
      script = Script.CJK;
    } else {
      script = Script.OTHER;
    }
    return new Scan(tokens, script);
  }

  private static void flush(StringBuilder word, List<DraftToken> tokens) {
    if (word.length() > 0) {
      tokens.add(new DraftToken(word.toString(), Kind.CONTENT));
      word.setLength(0);
    }
  }

  private static boolean isMark(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
  }

  private static boolean isCjk(int cp) {
    Character.UnicodeScript s = Character.UnicodeScript.of(cp);
    return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
        || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.THAI;
  }

  private static boolean isBreakPunctuation(int cp) {
    switch (cp) {
      case ',', ';', ':', '.', '!', '?', '|', '\n',
          '\uff0c', '\u3001', '\u3002', '\uff1b', '\uff1a', '\uff01', '\uff1f' -> {
        return true;
      }
      default -> {
        return false;
      }
    }
  }
}
