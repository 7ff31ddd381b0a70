package dev.deja.filter.settings;

/**
 * How a setting's text becomes a value. Implementations throw {@link InvalidSettingException}
 * naming the key, the value and the accepted form; {@link SettingTypes} holds the one parser of
 * each kind.
 *
 * @param <T> the parsed value
 */
@FunctionalInterface
public interface SettingType<T> {

  /**
   * Parses {@code value} (already stripped of surrounding blanks) for {@code key}.
   *
   * @throws InvalidSettingException when the text is not of this type
   */
  T parse(String key, String value);
}
