package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's settings table cannot drift from the code: every key, every default. */
class ReadmeSettingsTest {

  private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| ([^|]+) \\|", Pattern.MULTILINE);

  private static Map<String, String> readmeDefaults() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Map<String, String> rows = new HashMap<>();
    Matcher m = ROW.matcher(readme);
    while (m.find()) {
      rows.put(m.group(1), m.group(2).strip().replace("`", ""));
    }
    return rows;
  }

  private static String sorted(java.util.Collection<String> values) {
    return String.join(",", new TreeSet<>(values));
  }

  @Test
  void everyCacheSettingIsDocumented() throws Exception {
    Map<String, String> rows = readmeDefaults();
    for (String key : DejaConfig.KEYS) {
      assertTrue(rows.containsKey(key), "README settings table lacks " + key);
    }
  }

  @Test
  void documentedHitHeaderDefaultsAreTheCodesDefaults() throws Exception {
    Map<String, String> rows = readmeDefaults();
    assertEquals(DejaConfig.DEFAULT_SEMANTIC_CACHE_CONTROL, rows.get("semanticCacheControl"));
    assertTrue(DejaConfig.DEFAULT_STORED_HEADERS.isEmpty());
    assertEquals("*(none)*", rows.get("storedHeaders"));
  }

  @Test
  void documentedDefaultsAreTheCodesDefaults() throws Exception {
    Map<String, String> rows = readmeDefaults();
    DejaConfig d = DejaConfig.defaults();
    assertEquals(String.join(",", DejaConfig.DEFAULT_PATHS), rows.get("paths"));
    assertEquals(DejaConfig.DEFAULT_PROMPT_PARAM, rows.get("promptParam"));
    assertEquals(
        sorted(DejaConfig.DEFAULT_KNOWN_PARAMS),
        sorted(java.util.List.of(rows.get("knownParams").split(","))));
    assertEquals(
        sorted(DejaConfig.DEFAULT_IGNORED_PARAMS),
        sorted(java.util.List.of(rows.get("ignoredParams").split(","))));
    assertEquals(
        sorted(DejaConfig.DEFAULT_DEFAULTS.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()),
        sorted(java.util.List.of(rows.get("defaults").split(","))));
    assertEquals(Integer.toString(d.rules().maxPromptChars()), rows.get("maxPromptChars"));
    assertEquals(Boolean.toString(d.semantic()), rows.get("semantic"));
    assertEquals(d.unseeded().name().toLowerCase(java.util.Locale.ROOT), rows.get("unseeded"));
    assertEquals(d.preset(), rows.get("preset"));
    assertEquals(Integer.toString(d.candidates()), rows.get("candidates"));
    assertEquals(Integer.toString(d.maxBodyBytes()), rows.get("maxBodyBytes"));
    assertEquals(Integer.toString(d.storeThreads()), rows.get("storeThreads"));
    assertEquals(Integer.toString(d.storeQueue()), rows.get("storeQueue"));
    assertEquals(Long.toString(d.hotCacheBytes()), rows.get("hotCacheBytes"));
    assertEquals(Long.toString(d.memoryBudgetBytes()), rows.get("memoryBudgetBytes"));
    assertEquals(d.singleFlightTimeout().toSeconds() + "s", rows.get("singleFlightTimeout"));
    assertEquals(
        Integer.toString(d.singleFlightMaxWaiters()), rows.get("singleFlightMaxWaiters"));
    assertEquals(Integer.toString(d.breakerFailures()), rows.get("breakerFailures"));
    assertEquals(d.breakerOpen().toSeconds() + "s", rows.get("breakerOpen"));
    assertEquals(d.staleIfError().toDays() + "d", rows.get("staleIfError"));
    assertEquals(Integer.toString(d.semanticRolloutPercent()), rows.get("semanticRollout"));
  }
}
