package dev.deja.filter.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryStringTest {

  /** Each row: the raw query, then its decoded pairs as {@code name=value} joined by {@code |}. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = ';',
      nullValues = "NULL",
      value = {
        "NULL;                         ''",
        "'';                           ''",
        "a=1;                          a=1",
        "a=1&b=2&a=3;                  a=1|a=3|b=2",
        "a;                            a=",
        "a=;                           a=",
        "=x;                           =x",
        "a&&b&;                        a=|b=",
        "a=b=c;                        a=b=c",
        "q=c++%20logo;                 q=c   logo",
        "q=c%2B%2B;                    q=c++",
        "a+b=x+y;                      a b=x y",
        "q=%E2%9C%93;                  q=\u2713",
        "q=\u00e9;                     q=\u00e9",
        "q=%F0%9F%98%80;               q=\ud83d\ude00",
        "%6Eo-cache=1;                 no-cache=1",
        "q=%2525;                      q=%25",
      })
  void parse_decodesPairsAsAServletDoes(String raw, String expected) {
    List<String> pairs = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : QueryString.parse(raw).decoded().entrySet()) {
      e.getValue().forEach(v -> pairs.add(e.getKey() + "=" + v));
    }
    assertEquals(expected, String.join("|", pairs));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"q=%", "q=%2", "q=%zz", "q=%C3", "q=%FF", "%=x"})
  void decoded_brokenEncodingIsRefusedNotGuessed(String raw) {
    assertThrows(QueryString.MalformedException.class, () -> QueryString.parse(raw).decoded());
  }

  @Test
  void percentDecode_keepsPlusAsAPlusSign() {
    assertEquals("c++ logo", QueryString.percentDecode("c++%20logo"));
  }

  @ParameterizedTest(name = "{0} without prompt")
  @CsvSource(
      nullValues = "NULL",
      value = {
        "prompt=x&seed=1,          seed=1",
        "seed=1&prompt=x&width=2,  seed=1&width=2",
        "pr%6Fmpt=x&seed=1,        seed=1",
        "prompt,                   NULL",
        "prompts=x&a=%41+b,        prompts=x&a=%41+b",
        "a=%zz&prompt=x,           a=%zz",
      })
  void without_dropsByDecodedNameAndKeepsTheRestAsSent(String raw, String expected) {
    assertEquals(expected, QueryString.parse(raw).without("prompt").raw());
  }

  @Test
  void first_findsTheFirstPairByDecodedNameAndKeepsItsRawValue() {
    QueryString q = QueryString.parse("a=1&no-cache=fals%65&no-cache=false");
    assertEquals("fals%65", q.first("no-cache").orElseThrow().rawValue());
    assertEquals("false", q.first("no-cache").orElseThrow().value());
    assertNull(QueryString.parse("no-cache").first("no-cache").orElseThrow().rawValue());
    assertEquals(false, q.first("missing").isPresent());
  }
}
