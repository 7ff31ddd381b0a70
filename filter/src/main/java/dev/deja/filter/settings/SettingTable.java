package dev.deja.filter.settings;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of one builder, in declaration order. Looks a key up in either spelling ({@link
 * KeyStyle}), rejects unknown keys by name, and applies a map of settings in declaration order so
 * the result never depends on the order of a {@code HashMap} or a properties file.
 *
 * @param <B> the builder the settings configure
 */
public final class SettingTable<B> {

  private final String family;
  private final List<Setting<B, ?>> settings;
  private final Map<String, Setting<B, ?>> bySpelling = new HashMap<>();

  /**
   * @param family how unknown-key errors name this group, e.g. {@code "Deja setting"}
   */
  @SafeVarargs
  public SettingTable(String family, Setting<B, ?>... settings) {
    this(family, List.of(settings));
  }

  private SettingTable(String family, List<Setting<B, ?>> settings) {
    this.family = family;
    this.settings = List.copyOf(settings);
    for (Setting<B, ?> s : this.settings) {
      for (String spelling : List.of(s.key(), KeyStyle.otherSpelling(s.key()))) {
        if (bySpelling.putIfAbsent(spelling, s) != null && !spelling.equals(s.key())) {
          throw new IllegalStateException("two settings spelled " + spelling);
        }
      }
    }
  }

  /** This table with every key under {@code prefix}, e.g. {@code embedding.}. */
  public SettingTable<B> prefixed(String prefix) {
    List<Setting<B, ?>> renamed = new ArrayList<>();
    for (Setting<B, ?> s : settings) {
      renamed.add(s.prefixed(prefix));
    }
    return new SettingTable<>(family, renamed);
  }

  /** The declarations, in order. */
  public List<Setting<B, ?>> settings() {
    return settings;
  }

  /** The canonical keys, in order. */
  public List<String> keys() {
    return settings.stream().map(Setting::key).toList();
  }

  /** The setting spelled {@code key} in either style. */
  public Optional<Setting<B, ?>> find(String key) {
    return Optional.ofNullable(bySpelling.get(key));
  }

  /**
   * Returns {@code value} when it is within the declared range of the setting {@code key}: how
   * a builder enforces the bounds its table declares.
   *
   * @throws InvalidSettingException naming the key and the range when it is not
   * @throws IllegalArgumentException for an unknown key (a programming error)
   */
  @SuppressWarnings("unchecked")
  public <T> T check(String key, T value) {
    Setting<B, ?> s = bySpelling.get(key);
    if (s == null) {
      throw unknown(key);
    }
    return ((Setting<B, T>) s).check(value);
  }

  /** Whether {@code key}, in either spelling, is one of these settings. */
  public boolean knows(String key) {
    return bySpelling.containsKey(key);
  }

  /**
   * Applies one setting.
   *
   * @throws InvalidSettingException for an unknown key (listing the known ones) or a bad value
   */
  public void apply(B builder, String key, String value) {
    Setting<B, ?> s = bySpelling.get(key);
    if (s == null) {
      throw unknown(key);
    }
    s.apply(builder, key, value);
  }

  /**
   * Applies every entry of {@code values}, in declaration order.
   *
   * @throws InvalidSettingException for an unknown key, a key given in both spellings, or a bad
   *     value
   */
  public void applyAll(B builder, Map<String, String> values) {
    Map<Setting<B, ?>, String> spelled = new LinkedHashMap<>();
    for (String key : values.keySet()) {
      Setting<B, ?> s = bySpelling.get(key);
      if (s == null) {
        throw unknown(key);
      }
      String earlier = spelled.put(s, key);
      if (earlier != null) {
        throw new InvalidSettingException(key, values.get(key),
            "is also given as " + earlier + "; set it once");
      }
    }
    for (Setting<B, ?> s : settings) {
      String key = spelled.get(s);
      if (key != null) {
        s.apply(builder, key, values.get(key));
      }
    }
  }

  private IllegalArgumentException unknown(String key) {
    return new IllegalArgumentException(
        "unknown " + family + " '" + key + "'; known settings: " + new ArrayList<>(keys()));
  }
}
