package dev.deja.db;

/** How an entry came to be cached. */
public enum EntrySource {
  /** The response of an origin call. */
  ORIGIN("origin"),
  /** A semantic hit remembered under the requesting prompt's own key; shares the target's blob. */
  ALIAS("alias");

  private final String sql;

  EntrySource(String sql) {
    this.sql = sql;
  }

  /** The value stored in {@code cache_entry.source}. */
  public String sqlValue() {
    return sql;
  }

  /** Parses a {@code cache_entry.source} value. */
  public static EntrySource fromSql(String value) {
    for (EntrySource s : values()) {
      if (s.sql.equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown entry source: " + value);
  }
}
