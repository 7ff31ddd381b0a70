package dev.deja.filter.settings;

/**
 * A setting that cannot be used: names the key, the value as given and the rule or accepted form,
 * always as {@code invalid Deja setting <key>='<value>': <rule>}, so an operator can find the line
 * to fix in a flag, an environment variable, a properties file or an init-param alike.
 */
public final class InvalidSettingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String rule;

  /** A bad value of {@code key}; {@code value} is shown as given. */
  public InvalidSettingException(String key, Object value, String rule) {
    super("invalid Deja setting " + key + "='" + value + "': " + rule);
    this.key = key;
    this.rule = rule;
  }

  /** A bad value of a secret setting: the value is never shown. */
  public static InvalidSettingException secret(String key, String rule) {
    return new InvalidSettingException(key, "****", rule);
  }

  /** The key as the user spelled it. */
  public String key() {
    return key;
  }

  /** What the value must look like. */
  public String rule() {
    return rule;
  }
}
