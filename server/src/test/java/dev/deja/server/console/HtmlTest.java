package dev.deja.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The console's one escaping rule, as a table: what a prompt may contain and what a page shows. */
class HtmlTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      a red fox                           | a red fox
      <script>alert(1)</script>           | &lt;script&gt;alert(1)&lt;/script&gt;
      <img src=x onerror=alert(1)>        | &lt;img src=x onerror=alert(1)&gt;
      `a "quoted" word`                   | a &quot;quoted&quot; word
      it's                                | it&#39;s
      fish & chips                        | fish &amp; chips
      &amp; already                       | &amp;amp; already
      `" onmouseover="x`                  | &quot; onmouseover=&quot;x
      café ☕ 東京                          | café ☕ 東京
      ``                                  | ``
      """)
  void escape_turnsEveryMarkupCharacterIntoAReference(String raw, String html) {
    assertEquals(html, Html.escape(raw));
  }

  @org.junit.jupiter.api.Test
  void escape_coversSingleQuotedAttributesToo() {
    assertEquals("&#39;x&#39;", Html.escape("'x'"));
  }

  @org.junit.jupiter.api.Test
  void escape_ofNull_isEmpty() {
    assertEquals("", Html.escape(null));
  }
}
