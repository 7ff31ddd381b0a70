package dev.deja.server.console;

/**
 * The console's one escaping rule: every string that reaches a page (a prompt, a key, a partition,
 * an error message, a URL built from them) goes through {@link #escape}, in text and in quoted
 * attribute values alike. Text a client chose (a prompt, a model, a partition) is shown with {@link
 * #text}, which also makes invisible characters visible.
 */
public final class Html {

  private Html() {}

  /**
   * {@code s} as HTML text or as the content of a double- or single-quoted attribute value:
   * {@code & < > " '} become character references; {@code null} becomes the empty string.
   */
  public static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String ref = switch (c) {
        case '&' -> "&amp;";
        case '<' -> "&lt;";
        case '>' -> "&gt;";
        case '"' -> "&quot;";
        case '\'' -> "&#39;";
        default -> null;
      };
      if (ref != null && out == null) {
        out = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (out != null) {
        if (ref != null) {
          out.append(ref);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? s : out.toString();
  }

  /**
   * {@code s} as HTML text, {@linkplain #escape escaped}, with every invisible character shown as
   * a marked code point ({@code <span class="invisible">U+200B</span>}): a zero-width space or a
   * soft hyphen would make two prompts differ where a reviewer sees no difference, and a bidi
   * override (U+202E) would reorder the rest of the line, so a prompt could disguise itself or the
   * facts printed after it. Tabs and line breaks stay: HTML shows them as spaces.
   */
  public static String text(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    int from = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (invisible(cp)) {
        out.append(escape(s.substring(from, i))).append("<span class=\"invisible\">")
            .append(String.format(java.util.Locale.ROOT, "U+%04X", cp)).append("</span>");
        from = next;
      }
      i = next;
    }
    return from == 0 ? escape(s) : out.append(escape(s.substring(from))).toString();
  }

  /** Format characters (zero-width, bidi controls, soft hyphen), controls, line separators. */
  private static boolean invisible(int cp) {
    return switch (Character.getType(cp)) {
      case Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
      case Character.CONTROL -> cp != '\t' && cp != '\n' && cp != '\r';
      default -> false;
    };
  }
}
