package dev.deja.filter.settings;

import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * One setting, declared once: its key, how its text is parsed, its default, the line that
 * documents it, and how it reaches the builder it configures. Key lists, the string entry points
 * and the README check are all derived from these declarations.
 *
 * @param key the canonical key, e.g. {@code hotCacheBytes} or {@code db.pool-size}
 * @param type the parser of its text
 * @param defaultValue the default, the same constant the builder starts from; {@code null} when
 *     unset by default
 * @param doc one line: what it does
 * @param setter applies a parsed value to the builder; may reject it with an exception
 * @param range the bounds of the value, or null; the builder enforces them by asking its table
 *     ({@link SettingTable#check}), so a bound is declared here and nowhere else
 * @param <B> the builder
 * @param <T> the value
 */
public record Setting<B, T>(
    String key,
    SettingType<T> type,
    T defaultValue,
    String doc,
    BiConsumer<B, T> setter,
    Range<?> range) {

  public Setting {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(doc, "doc");
    Objects.requireNonNull(setter, "setter");
  }

  /** Shorthand for the declaration tables. */
  public static <B, T> Setting<B, T> of(
      String key, SettingType<T> type, T defaultValue, String doc, BiConsumer<B, T> setter) {
    return new Setting<>(key, type, defaultValue, doc, setter, null);
  }

  /** This setting with its value bounded by {@code range}. */
  public <C extends Comparable<? super C>> Setting<B, T> within(Range<C> range) {
    return new Setting<>(key, type, defaultValue, doc, setter, range);
  }

  /**
   * Returns {@code value} when within {@link #range} (or when there is none).
   *
   * @throws InvalidSettingException naming this key and the range otherwise
   * @throws ClassCastException when {@code value} is not of the range's type
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public T check(T value) {
    return range == null ? value : (T) ((Range) range).check(key, (Comparable) value);
  }

  /** This setting under {@code prefix + key}, e.g. {@code embedding.} when nested in the filter. */
  public Setting<B, T> prefixed(String prefix) {
    return new Setting<>(prefix + key, type, defaultValue, doc, setter, range);
  }

  /**
   * Parses {@code text} and applies it to {@code builder}. A builder's own rule that fails
   * (a range, a pattern) is reported with this key and the text as given, so every error names
   * the setting the user wrote.
   *
   * @param spelled the key as the user wrote it (this key or its other spelling)
   * @throws InvalidSettingException for a value that cannot be parsed or is refused
   */
  public void apply(B builder, String spelled, String text) {
    String value = text == null ? "" : text.strip();
    T parsed;
    try {
      parsed = type.parse(spelled, value);
    } catch (InvalidSettingException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new InvalidSettingException(spelled, value, e.getMessage());
    }
    try {
      setter.accept(builder, parsed);
    } catch (InvalidSettingException e) {
      // The builder named the rule already; only the spelling may differ from the canonical key.
      throw e.key().equals(spelled) ? e : new InvalidSettingException(spelled, value, e.rule());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidSettingException(spelled, value, String.valueOf(e.getMessage()));
    }
  }
}
