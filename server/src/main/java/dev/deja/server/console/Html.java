package dev.deja.server.console;

/**
 * The console's one escaping rule: every string that reaches a page (a prompt, a key, a partition,
 * an error message, a URL built from them) goes through {@link #escape}, in text and in quoted
 * attribute values alike.
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
}
