package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deja.filter.settings.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table cannot drift from the settings registry: every declared key has a
 * row, every row names a declared key, and every documented default, read by the setting's own
 * parser, is the declared default.
 */
class ReadmeSettingsTest {

  private static final Pattern ROW =
      Pattern.compile("^\\| `([^`]+)` \\| ([^|]+) \\|(.*)\\|$", Pattern.MULTILINE);
  /** How the table writes "no default": {@code *(none)*}, {@code *(from preset)*}, {@code —}. */
  private static final Pattern NO_DEFAULT = Pattern.compile("\\*\\(.*\\)\\*|—");

  /** Rows of the "## Settings" section only: other tables have backticked first cells too. */
  private static Map<String, String> readmeDefaults() throws Exception {
    return readmeCells(2);
  }

  /** Each row's {@code column}: 2 the default, 3 the meaning. */
  private static Map<String, String> readmeCells(int column) throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("\n## Settings");
    int end = readme.indexOf("\n## ", start + 1);
    Map<String, String> rows = new LinkedHashMap<>();
    Matcher m = ROW.matcher(readme.substring(start, end));
    while (m.find()) {
      rows.put(m.group(1), m.group(column).strip());
    }
    return rows;
  }

  @Test
  void everyDeclaredSettingHasARow() throws Exception {
    Map<String, String> rows = readmeDefaults();
    for (Setting<?, ?> s : FilterSettings.SETTINGS) {
      assertTrue(rows.containsKey(s.key()), "README settings table lacks " + s.key());
    }
  }

  @Test
  void everyRowIsADeclaredSetting() throws Exception {
    for (String key : readmeDefaults().keySet()) {
      assertTrue(
          FilterSettings.SETTINGS.stream().anyMatch(s -> s.key().equals(key)),
          "README documents " + key + ", which is not a setting");
    }
  }

  @Test
  void everyDocumentedDefaultIsTheDeclaredDefault() throws Exception {
    Map<String, String> rows = readmeDefaults();
    for (Setting<?, ?> s : FilterSettings.SETTINGS) {
      String cell = rows.get(s.key());
      if (NO_DEFAULT.matcher(cell).matches()) {
        assertTrue(absent(s.defaultValue()),
            s.key() + ": README says no default, the code has " + s.defaultValue());
        continue;
      }
      String text = cell.replace("`", "");
      Object documented;
      try {
        documented = s.type().parse(s.key(), text);
      } catch (IllegalArgumentException e) {
        fail(s.key() + ": README default does not parse: " + e.getMessage());
        return;
      }
      assertEquals(s.defaultValue(), documented, s.key() + ": README default " + cell);
    }
  }

  @Test
  void everyDeclaredBoundIsDocumented() throws Exception {
    Map<String, String> meanings = readmeCells(3);
    for (Setting<?, ?> s : FilterSettings.SETTINGS) {
      if (s.range() != null) {
        assertTrue(meanings.get(s.key()).contains(s.range().rule()),
            s.key() + ": README does not say it " + s.range().rule());
      }
    }
  }

  @Test
  void documentedHitHeaderDefaultsAreTheCodesDefaults() throws Exception {
    Map<String, String> rows = readmeDefaults();
    assertEquals("`" + DejaConfig.DEFAULT_SEMANTIC_CACHE_CONTROL + "`",
        rows.get("semanticCacheControl"));
    assertTrue(DejaConfig.DEFAULT_STORED_HEADERS.isEmpty());
    assertEquals("*(none)*", rows.get("storedHeaders"));
  }

  private static boolean absent(Object value) {
    return value == null
        || (value instanceof String str && str.isEmpty())
        || (value instanceof Collection<?> c && c.isEmpty())
        || (value instanceof Map<?, ?> m && m.isEmpty());
  }
}
