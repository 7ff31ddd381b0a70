package dev.deja.filter.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class WordListsTest {

  private static final Path WORDS = Path.of("src/main/resources/dev/deja/filter/match/words");

  @Test
  void everyListOpensWithWhereItComesFrom() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(WORDS)) {
      files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
    assertTrue(files.size() >= 20, "word lists found: " + files);
    for (Path f : files) {
      String first = Files.readAllLines(f, StandardCharsets.UTF_8).get(0);
      assertTrue(first.startsWith("# Curated by hand"), f + " opens with: " + first);
      // every list loads, and is not empty
      assertTrue(!WordLists.lines(f.getFileName().toString()).isEmpty(), f.toString());
    }
  }

  @Test
  void aMissingListIsNamed() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> WordLists.set("no-such-list.txt"));
    assertTrue(e.getMessage().contains("dev/deja/filter/match/words/no-such-list.txt"),
        e.getMessage());
  }

  @Test
  void theListsHaveTheirShapes() {
    assertEquals("cat", Lexicon.SYNONYMS.get("kitten"));
    assertEquals("#1", Lexicon.NUMBER_WORDS.get("first")); // '#' inside a line is data
    assertEquals("sunrise", Lexicon.SCENE.get("dawn"));
    assertEquals("snow", Lexicon.SCENE.get("snow")); // a bare word means itself
    assertTrue(Lexicon.OPPOSITES.get("woman").contains("man")); // symmetric
    assertTrue(Lexicon.NAMES.get("new").contains("york"));
    for (String d : Lexicon.DIRECTIONS) {
      assertTrue(Lexicon.OPPOSITES.containsKey(d), d + " is a direction but has no opposite");
    }
    // longest phrases first, so "a photo of" is matched before "photo of"
    for (int i = 1; i < Lexicon.STYLE_PHRASES.size(); i++) {
      assertTrue(Lexicon.STYLE_PHRASES.get(i - 1).length >= Lexicon.STYLE_PHRASES.get(i).length);
    }
  }
}
