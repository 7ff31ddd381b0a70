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

  // The table writes each invisible character as a Java Unicode escape, so the source stays
  // readable; the compiler turns it into the character itself.
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      a\u200Bcat                          | a<span class="invisible">U+200B</span>cat
      dog \u202Egnp.exe                   | dog <span class="invisible">U+202E</span>gnp.exe
      \u2066x\u2069 <b>                   | <span class="invisible">U+2066</span>x<span class="invisible">U+2069</span> &lt;b&gt;
      soft\u00ADhyphen                     | soft<span class="invisible">U+00AD</span>hyphen
      bell\u0007ring                      | bell<span class="invisible">U+0007</span>ring
      line\u2028break                     | line<span class="invisible">U+2028</span>break
      cafe\uFEFF                          | cafe<span class="invisible">U+FEFF</span>
      café ☕ 東京                          | café ☕ 東京
      """)
  void text_showsInvisibleCharactersAsMarkedCodePoints_andEscapesTheRest(String raw,
      String html) {
    assertEquals(html, Html.text(raw));
  }

  @org.junit.jupiter.api.Test
  void text_keepsTabsAndLineBreaks_andEscapesLikeEscape() {
    assertEquals("a\tb\nc &amp; &quot;d&quot;", Html.text("a\tb\nc & \"d\""));
  }
}
