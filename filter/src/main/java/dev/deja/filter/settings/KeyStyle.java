package dev.deja.filter.settings;

/**
 * The two spellings of a key. Cache keys were written camelCase ({@code hotCacheBytes}) and the
 * {@code db.*}, {@code embedding.*} and server keys kebab-case ({@code db.pool-size}); renaming
 * either would break existing configurations, so each key is accepted in both spellings and the
 * documented one stays canonical. Only the part after the last dot changes: {@code db.poolSize}
 * is {@code db.pool-size}.
 */
public final class KeyStyle {

  private KeyStyle() {}

  /** The other spelling of {@code key}: kebab-case for camelCase and the reverse. */
  public static String otherSpelling(String key) {
    int dot = key.lastIndexOf('.') + 1;
    String prefix = key.substring(0, dot);
    String name = key.substring(dot);
    return prefix + (name.indexOf('-') >= 0 ? camel(name) : kebab(name));
  }

  static String kebab(String camel) {
    StringBuilder out = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char ch = camel.charAt(i);
      if (Character.isUpperCase(ch)) {
        out.append('-').append(Character.toLowerCase(ch));
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }

  static String camel(String kebab) {
    StringBuilder out = new StringBuilder(kebab.length());
    boolean upper = false;
    for (int i = 0; i < kebab.length(); i++) {
      char ch = kebab.charAt(i);
      if (ch == '-') {
        upper = true;
      } else {
        out.append(upper ? Character.toUpperCase(ch) : ch);
        upper = false;
      }
    }
    return out.toString();
  }
}
