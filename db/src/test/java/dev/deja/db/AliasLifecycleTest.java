package dev.deja.db;

import static dev.deja.db.Fixtures.entry;
import static dev.deja.db.Fixtures.image;
import static dev.deja.db.Fixtures.key;
import static dev.deja.db.testing.TestVectors.unitVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deja.db.testing.OpenDatabase;
import dev.deja.db.testing.TestDatabase;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An alias serves its target's image: it goes when the target goes or gets a new image. */
class AliasLifecycleTest {

  @RegisterExtension
  static final OpenDatabase DB = new OpenDatabase(AliasLifecycleTest.class);
  private final CacheStore repo = DB.repository();
  final Random random = new Random(3);

  private String targetWithAlias(String name) {
    String target = key(name);
    repo.store(entry(target, "a lighthouse " + name, "b-" + name,
        unitVector(random, TestDatabase.DEFAULT_DIMENSION), null), image(random, 500), false);
    String alias = key(name + "-alias");
    repo.storeAlias(new NewAlias(alias, target, 0.95, new StoredRequest("the lighthouse " + name,
        "the lighthouse " + name, Fixtures.MODEL, 1024, 576, null, "standard", null, null,
        Map.of(), "b-" + name), Fixtures.EMBEDDER, null));
    assertTrue(repo.findExact(alias).isPresent());
    return target;
  }

  @Test
  void deletingAnEntryDeletesItsAliases() {
    String target = targetWithAlias("deleted");
    assertTrue(repo.delete(target));
    assertTrue(repo.findExact(key("deleted-alias")).isEmpty());
  }

  @Test
  void replacingAnEntryDropsTheAliasesOfTheOldImage() {
    String target = targetWithAlias("replaced");
    assertEquals(StoreOutcome.REPLACED, repo.store(entry(target, "a lighthouse replaced",
        "b-replaced", unitVector(random, TestDatabase.DEFAULT_DIMENSION), null),
        image(random, 600), true));
    assertTrue(repo.findExact(key("replaced-alias")).isEmpty());
  }

  @Test
  void purgingTargetsLeavesNoAliasBehind() {
    targetWithAlias("purged");
    repo.purge(new PurgeCriteria(null, "b-purged", null));
    assertTrue(repo.findExact(key("purged-alias")).isEmpty());
  }
}
