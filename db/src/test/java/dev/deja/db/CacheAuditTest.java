package dev.deja.db;

import static dev.deja.db.Fixtures.entry;
import static dev.deja.db.Fixtures.image;
import static dev.deja.db.Fixtures.key;
import static dev.deja.db.testing.TestVectors.unitVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.OpenDatabase;
import dev.deja.db.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The console's audit: served semantic hits are alias rows, and verdicts become labelled pairs. */
class CacheAuditTest {

  @RegisterExtension
  static final OpenDatabase DB = new OpenDatabase(CacheAuditTest.class);
  private final CacheStore repo = DB.repository();
  private final CacheAudit audit = repo.audit();
  private final Random random = new Random(16);

  /** An origin entry "a lighthouse NAME" and a semantic hit served from it for "the lighthouse NAME". */
  private String servedHit(String name, double similarity) {
    String target = key(name);
    repo.store(entry(target, "a lighthouse " + name, "b-" + name,
        unitVector(random, TestDatabase.DEFAULT_DIMENSION), null), image(random, 300), false);
    String alias = key(name + "-alias");
    repo.storeAlias(aliasOf(name, similarity));
    return alias;
  }

  /** The alias a semantic hit for "the lighthouse NAME" stores. */
  private static NewAlias aliasOf(String name, double similarity) {
    return new NewAlias(key(name + "-alias"), key(name), similarity, new StoredRequest(
        "the lighthouse " + name, "the lighthouse " + name, Fixtures.MODEL, 1024, 576, null,
        "standard", null, null, Map.of(), "b-" + name), null, null);
  }

  @Test
  void servedMatches_listAliasesWithBothPrompts_filteredBySimilarityAndBucket() {
    String alias = servedHit("listed", 0.93);
    servedHit("other", 0.81);

    List<ServedMatch> inBucket =
        audit.servedMatches(new MatchFilter("b-listed", null, null, null), 10, 0);
    assertEquals(1, inBucket.size());
    ServedMatch m = inBucket.get(0);
    assertEquals(alias, m.aliasKey());
    assertEquals("the lighthouse listed", m.requestedPrompt());
    assertEquals("a lighthouse listed", m.matchedPrompt());
    assertEquals(key("listed"), m.targetKey());
    assertEquals(0.93, m.similarity(), 1e-9);
    assertEquals(Fixtures.EMBEDDER, m.embeddingModelId(), "the target's embedding model");

    assertTrue(audit.servedMatches(new MatchFilter("b-other", null, 0.9, null), 10, 0).isEmpty());
    assertEquals(1, audit.servedMatches(new MatchFilter("b-other", null, 0.8, 0.85), 10, 0).size());
    assertEquals(1, audit.sampleServedMatches(new MatchFilter("b-other", null, null, null), 5)
        .size());
  }

  @Test
  void judgeWrong_recordsLabelZero_andDeletesTheAliasButNotTheTarget() {
    String alias = servedHit("wrong", 0.9);

    MatchFeedback f = audit.judge(alias, false, "tester").orElseThrow();

    assertFalse(f.correct());
    assertEquals("the lighthouse wrong", f.requestedPrompt());
    assertEquals("a lighthouse wrong", f.matchedPrompt());
    assertEquals("tester", f.decidedBy());
    assertTrue(repo.findExact(alias).isEmpty(), "the alias is gone");
    assertTrue(repo.findExact(key("wrong")).isPresent(), "the target stays");
    assertTrue(audit.judge(alias, false, "tester").isEmpty(), "a second verdict finds nothing");
    assertTrue(audit.feedback().stream().anyMatch(x -> x.aliasKey().equals(alias) && !x.correct()));
  }

  @Test
  void judgeRight_recordsLabelOne_andKeepsTheAlias() {
    String alias = servedHit("right", 0.97);

    assertTrue(audit.judge(alias, true, "tester").orElseThrow().correct());

    assertTrue(repo.findExact(alias).isPresent());
    assertTrue(audit.feedback().stream().anyMatch(x -> x.aliasKey().equals(alias) && x.correct()));
  }

  @Test
  void feedback_holdsTheLatestVerdictPerPromptPair_soTheExportNeverRepeatsOrContradictsALabel() {
    String alias = servedHit("twice", 0.9);
    audit.judge(alias, true, "ada");
    audit.judge(alias, true, "ada"); // a double click
    audit.judge(alias, false, "bob"); // a second opinion

    List<MatchFeedback> pair = audit.feedback().stream()
        .filter(x -> x.aliasKey().equals(alias)).toList();

    assertEquals(1, pair.size(), "one labelled pair, not three rows with two labels");
    assertFalse(pair.get(0).correct());
    assertEquals("bob", pair.get(0).decidedBy());
  }

  @Test
  void storeAlias_ofAHitMarkedWrong_isNotRecreated_byAHitThatRacedTheVerdictOrAnotherInstance() {
    String alias = servedHit("raced", 0.9);
    audit.judge(alias, false, "ada");

    // A hit decided before the verdict reached this instance (or on an instance that has not
    // loaded it yet) stores its alias after the verdict deleted it.
    StoreOutcome late = repo.storeAlias(aliasOf("raced", 0.9));

    assertEquals(StoreOutcome.MARKED_WRONG, late);
    assertTrue(repo.findExact(alias).isEmpty(),
        "no alias row: it would serve the wrong image as an exact hit, past every matcher");
  }

  @Test
  void entries_searchByPromptKeyAndAliasOf_withSizesAndHits() {
    String alias = servedHit("searched", 0.95);
    String target = key("searched");

    EntryDetail byKey = audit.entries(EntrySearch.byKey(target), 5, 0).get(0);
    assertEquals(300, byKey.sizeBytes());
    assertEquals(EntrySource.ORIGIN, byKey.source());
    assertNull(byKey.aliasOf());
    assertEquals(List.of(alias),
        audit.entries(EntrySearch.aliasesOf(target), 5, 0).stream().map(EntryDetail::cacheKey)
            .toList());
    assertEquals(2, audit.entries(new EntrySearch(null, "LIGHTHOUSE SEARCHED", null,
        Instant.now().minusSeconds(600), 0L, null), 5, 0).size());
    assertTrue(audit.entries(new EntrySearch(null, "lighthouse searched", null, null, 1L, null),
        5, 0).isEmpty(), "never hit");
    assertTrue(audit.entries(new EntrySearch(null, "100%_x", null, null, null, null), 5, 0)
        .isEmpty(), "% and _ are plain text");
  }
}
