package dev.deja.filter.request;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A raw query string as the origin receives it: its {@code name=value} pairs in order, each kept
 * as sent and decoded on demand the way a servlet container reads a query
 * ({@code application/x-www-form-urlencoded}: {@code +} is a space, then percent-decoding once as
 * UTF-8). The one reader of query strings in Deja: the request key, the client's {@code no-cache}
 * and the admin API's {@code explain} all see the same pairs.
 *
 * <p>Empty pairs ({@code a&&b}) are skipped. A pair without {@code =} has the value {@code ""}.
 * Broken escapes or invalid UTF-8 are never guessed at: decoding such a pair throws {@link
 * MalformedException}.
 *
 * @param params the pairs in order of appearance
 */
public record QueryString(List<Param> params) {

  private static final QueryString EMPTY = new QueryString(List.of());

  public QueryString {
    params = List.copyOf(params);
  }

  /**
   * One {@code name=value} pair, as sent.
   *
   * @param rawName the name, still encoded
   * @param rawValue the value, still encoded, or null when the pair has no {@code =}
   */
  public record Param(String rawName, String rawValue) {

    /** The pair as it stands in the query. */
    public String raw() {
      return rawValue == null ? rawName : rawName + "=" + rawValue;
    }

    /**
     * The form-decoded name.
     *
     * @throws MalformedException for a broken escape or invalid UTF-8
     */
    public String name() {
      return formDecode(rawName);
    }

    /**
     * The form-decoded value; {@code ""} when the pair has no {@code =}.
     *
     * @throws MalformedException for a broken escape or invalid UTF-8
     */
    public String value() {
      return rawValue == null ? "" : formDecode(rawValue);
    }

    /** Whether the decoded name is {@code name}; false when the name cannot be decoded. */
    public boolean named(String name) {
      try {
        return name().equals(name);
      } catch (MalformedException e) {
        return false;
      }
    }
  }

  /** The pairs of {@code rawQuery} (null or empty: none). */
  public static QueryString parse(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return EMPTY;
    }
    List<Param> params = new ArrayList<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      params.add(
          eq < 0 ? new Param(pair, null) : new Param(pair.substring(0, eq), pair.substring(eq + 1)));
    }
    return new QueryString(params);
  }

  /**
   * The decoded names, each with its decoded values in order, names in order of first
   * appearance. A new, mutable map on each call.
   *
   * @throws MalformedException when any pair cannot be decoded
   */
  public Map<String, List<String>> decoded() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Param p : params) {
      out.computeIfAbsent(p.name(), n -> new ArrayList<>(1)).add(p.value());
    }
    return out;
  }

  /** The first pair whose decoded name is {@code name}. */
  public Optional<Param> first(String name) {
    return params.stream().filter(p -> p.named(name)).findFirst();
  }

  /** These pairs, as sent, without those whose decoded name is {@code name}. */
  public QueryString without(String name) {
    return new QueryString(params.stream().filter(p -> !p.named(name)).toList());
  }

  /** The pairs joined again as sent, or null when there are none (as a servlet returns it). */
  public String raw() {
    return params.isEmpty()
        ? null
        : String.join("&", params.stream().map(Param::raw).toList());
  }

  /** Form-decoding: {@code +} is a space, then {@link #percentDecode} once. */
  static String formDecode(String raw) {
    return percentDecode(raw.replace('+', ' '));
  }

  /**
   * Percent-decodes exactly once as UTF-8; {@code +} stays a plus sign, as servlet containers
   * decode paths.
   *
   * @throws MalformedException for a broken escape or invalid UTF-8, rather than a guess
   */
  static String percentDecode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new MalformedException(raw);
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new MalformedException(raw);
        }
        bytes.write((hi << 4) | lo);
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < raw.length()) {
          utf8 = raw.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.writeBytes(utf8);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedException(raw);
    }
  }

  /** Text that is not valid percent-encoded UTF-8. */
  public static final class MalformedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    MalformedException(String raw) {
      super("not valid percent-encoded UTF-8: " + raw);
    }
  }
}
