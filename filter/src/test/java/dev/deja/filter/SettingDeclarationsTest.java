package dev.deja.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.filter.settings.InvalidSettingException;
import dev.deja.filter.settings.Range;
import dev.deja.filter.settings.Setting;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The settings table is the one place for a cache setting's default and bounds: a fresh builder
 * holds exactly the table's defaults, and the builder refuses a value just outside every declared
 * bound (so a bound is never only written in a builder, nor only in the table).
 */
class SettingDeclarationsTest {

  @Test
  void everyBuilderDefaultIsTheTablesDefault() throws Exception {
    for (Setting<DejaConfig.Builder, ?> s : DejaConfig.SETTINGS.settings()) {
      DejaConfig.Builder applied = DejaConfig.builder();
      applyDefault(s, applied);
      assertEquals(fields(DejaConfig.builder()), fields(applied),
          s.key() + ": the builder starts from another value than the table's default");
    }
  }

  @Test
  void everyDefaultIsWithinItsBounds() {
    for (Setting<DejaConfig.Builder, ?> s : DejaConfig.SETTINGS.settings()) {
      checkDefault(s);
    }
  }

  @Test
  void theBuilderRefusesJustOutsideEveryDeclaredBound() {
    for (Setting<DejaConfig.Builder, ?> s : DejaConfig.SETTINGS.settings()) {
      Range<?> range = s.range();
      if (range == null) {
        continue;
      }
      if (range.min() != null) {
        refused(s, range.minExcluded() ? range.min() : step(range.min(), -1));
      }
      if (range.max() != null) {
        refused(s, step(range.max(), 1));
      }
    }
  }

  @Test
  void aBoundIsReportedWithTheKeyAndTheRule() {
    InvalidSettingException e =
        assertThrows(InvalidSettingException.class, () -> DejaConfig.builder().candidates(51));
    assertEquals("invalid Deja setting candidates='51': must be an integer in [1, 50]",
        e.getMessage());
  }

  private static <T> void applyDefault(Setting<DejaConfig.Builder, T> s, DejaConfig.Builder b) {
    s.setter().accept(b, s.defaultValue());
  }

  private static <T> void checkDefault(Setting<DejaConfig.Builder, T> s) {
    assertEquals(s.defaultValue(), s.check(s.defaultValue()), s.key());
  }

  @SuppressWarnings("unchecked")
  private static <T> void refused(Setting<DejaConfig.Builder, T> s, Object value) {
    InvalidSettingException e = assertThrows(InvalidSettingException.class,
        () -> s.setter().accept(DejaConfig.builder(), (T) value), s.key() + "=" + value);
    assertEquals(s.key(), e.key());
    assertTrue(e.rule().equals(s.range().rule()), s.key() + ": " + e.getMessage());
  }

  /** The nearest value past {@code bound} in {@code direction}. */
  static Object step(Object bound, int direction) {
    if (bound instanceof Integer i) {
      return i + direction;
    } else if (bound instanceof Long l) {
      return l + direction;
    } else if (bound instanceof Double d) {
      return direction < 0 ? Math.nextDown(d) : Math.nextUp(d);
    } else if (bound instanceof Duration d) {
      return d.plusNanos(direction);
    }
    throw new AssertionError("no step for " + bound);
  }

  private static Map<String, Object> fields(Object builder) throws IllegalAccessException {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Field f : builder.getClass().getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        f.setAccessible(true);
        out.put(f.getName(), f.get(builder));
      }
    }
    return out;
  }
}
