package dev.deja.server;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget.CodeUnitAccessTarget;
import com.tngtech.archunit.core.domain.AccessTarget.FieldAccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.deja.db.CacheAudit;
import dev.deja.db.CacheStore;
import dev.deja.db.EntryDetail;
import dev.deja.db.EntrySearch;
import dev.deja.db.MatchFeedback;
import dev.deja.db.MatchFilter;
import dev.deja.db.ServedMatch;
import dev.deja.db.CacheStats;
import dev.deja.db.CacheUnavailableException;
import dev.deja.db.DailyCounts;
import dev.deja.db.DatabaseConfig;
import dev.deja.db.CacheMaintenance;
import dev.deja.db.ImageBody;
import dev.deja.db.ImagePlacement;
import dev.deja.db.EntryFilter;
import dev.deja.db.EntrySource;
import dev.deja.db.EntrySummary;
import dev.deja.db.HitRecord;
import dev.deja.db.Neighbor;
import dev.deja.db.NewAlias;
import dev.deja.db.NewEntry;
import dev.deja.db.PurgeCriteria;
import dev.deja.db.SchemaMismatchException;
import dev.deja.db.StoredRequest;
import dev.deja.db.StoredResponse;
import dev.deja.db.internal.PostgresCacheRepository;
import dev.deja.filter.DejaFilter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the shipped modules, stated on their bytecode: {@code db} at the bottom, the
 * {@code filter} on top of it, the Jetty {@code server} on top of both.
 *
 * <p>It lives in {@code server} because only this module's test classpath holds the main classes
 * of all three modules; a test in {@code db} or {@code filter} could not see the classes a rule
 * is about (Maven keeps {@code server} off their classpath, so "filter does not depend on server"
 * would be vacuously true there). Maven already forbids a module from compiling against a module
 * above it; these rules add what Maven cannot see: which <em>packages</em> may touch the
 * database APIs, which may touch a servlet container, and which repository methods may use JPA.
 *
 * <p>Not covered: {@code bench} (not shipped, not on this classpath). Its {@code HttpBenchmark}
 * and {@code ScaleBenchmark} open plain JDBC connections on purpose: they measure the database
 * from outside (row counts, exact ground-truth neighbours) rather than through the repository.
 */
class ArchitectureTest {

  /** Everything that speaks to PostgreSQL: JDBC, the pool, migrations, JPA, the driver. */
  private static final String[] DATABASE_APIS = {"java.sql..", "javax.sql..",
      "jakarta.persistence..", "org.hibernate..", "com.zaxxer.hikari..", "org.flywaydb..",
      "org.postgresql..", "com.pgvector.."};

  private static final DescribedPredicate<JavaClass> JPA =
      resideInAnyPackage("jakarta.persistence..", "org.hibernate..");

  /**
   * The repository operations a cache lookup or a cache store runs: one round trip each with the
   * JDBC statement and network timeouts of the data plane. ({@code recordHits} and
   * {@code recordOutcomes} are batched bookkeeping off the request thread; they are plain JDBC
   * today as well but are not held to it here.)
   */
  private static final String REQUEST_PATH = "findExact|findExactOrStale|hasCandidates"
      + "|findNearest|store|storeAlias";

  /**
   * The values both halves of the storage contract take and return. They live in {@code
   * dev.deja.db} (the bottom layer, so the repository and every {@code CacheStore} share one
   * definition) but carry no database behaviour: a host may use them freely.
   */
  private static final Class<?>[] STORAGE_RECORDS = {NewEntry.class, NewAlias.class,
      StoredRequest.class, StoredResponse.class, EntrySource.class, Neighbor.class,
      HitRecord.class, DailyCounts.class, PurgeCriteria.class, CacheStats.class,
      EntryFilter.class, EntrySummary.class, ImagePlacement.class, ImageBody.class,
      CacheStore.class, CacheMaintenance.class, CacheAudit.class, ServedMatch.class,
      MatchFilter.class, MatchFeedback.class, EntrySearch.class, EntryDetail.class};

  private static final DescribedPredicate<JavaClass> DB_MODULE = resideInAPackage("dev.deja.db..");

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClassesOfAllModules() {
    classes = new ClassFileImporter()
        .withImportOption(new ImportOption.DoNotIncludeTests())
        // In a reactor build the db and filter test fixtures arrive as *-tests.jar.
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("dev.deja");
    // A rule over an import that missed a module would pass for the wrong reason.
    assertTrue(classes.contain(PostgresCacheRepository.class), "db classes imported");
    assertTrue(classes.contain(DejaFilter.class), "filter classes imported");
    assertTrue(classes.contain(DejaServer.class), "server classes imported");
    assertFalse(classes.contain(ArchitectureTest.class), "test classes are not production code");
    assertFalse(classes.containPackage("dev.deja.db.testing"), "db test fixtures are excluded");
  }

  @Test
  void db_dependsOnNeitherFilterNorServer() {
    noClasses().that().resideInAPackage("dev.deja.db..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.deja.filter..", "dev.deja.server..")
        .because("the storage layer is the bottom layer: it defines the contract (CacheStore) the"
            + " filter uses, so a storage change never needs to know about HTTP")
        .check(classes);
  }

  @Test
  void filter_doesNotDependOnServer() {
    noClasses().that().resideInAPackage("dev.deja.filter..")
        .should().dependOnClassesThat().resideInAPackage("dev.deja.server..")
        .because("the filter is a drop-in for any Jakarta Servlet container (TomcatDropInTest);"
            + " the Jetty gateway is one host of it, not a part of it")
        .check(classes);
  }

  /**
   * The gateway manages the cache (delete, purge, stats, eviction, image migration) through the
   * storage contract ({@code CacheStore}/{@code CacheMaintenance}), never through the PostgreSQL
   * repository or {@code DejaDatabase}, so it
   * runs unchanged on any store. What stays is startup wiring: the schema default and URL masking
   * of {@link DatabaseConfig}, and the two exceptions opening the database can throw, which the
   * gateway turns into one-line startup errors; and the {@linkplain #STORAGE_RECORDS records} the
   * contract speaks, which are defined once in {@code dev.deja.db} for every store.
   */
  @Test
  void server_managesTheCacheThroughTheStorageContract_notThroughTheDatabase() {
    noClasses().that().resideInAPackage("dev.deja.server..")
        .should().dependOnClassesThat(resideInAPackage("dev.deja.db..").and(not(belongToAnyOf(
            DatabaseConfig.class, SchemaMismatchException.class,
            CacheUnavailableException.class))).and(not(belongToAnyOf(STORAGE_RECORDS))))
        .because("admin operations are part of the storage contract (issue #12, item 0); a cast"
            + " to one implementation would tie the gateway to PostgreSQL")
        .check(classes);
  }

  @Test
  void onlyDb_touchesJdbcJpaHibernatePoolOrMigrations() {
    noClasses().that().resideOutsideOfPackage("dev.deja.db..")
        .should().dependOnClassesThat().resideInAnyPackage(DATABASE_APIS)
        .because("dev.deja.db owns the connection pool, the statement timeouts and the schema;"
            + " a query written elsewhere would bypass all three")
        .check(classes);
  }

  @Test
  void filterCore_dependsOnNoServletContainer() {
    noClasses().that().resideInAnyPackage("dev.deja.filter.request..", "dev.deja.filter.lookup..",
            "dev.deja.filter.match..", "dev.deja.filter.embed..")
        .should().dependOnClassesThat().resideInAnyPackage("org.eclipse.jetty..",
            "org.apache.catalina..", "org.apache.tomcat..")
        .because("parsing, lookup, matching and embedding are the same in every container;"
            + " only the servlet API may be shared with the host")
        .check(classes);
  }

  /**
   * Per method, not per class: {@link PostgresCacheRepository} holds both the request path (its
   * {@code Lookups} and {@code Writes}, JDBC) and the management plane ({@code Maintenance}, JPA),
   * so "this class does not use JPA" would be false. The condition follows calls into any method
   * of the {@code db} module ({@code Lookups.findNearest}, {@code Writes.storeOnce},
   * {@code BoundConnections.lookup}, ...), so moving JPA into a helper or a collaborator is caught.
   */
  @Test
  void requestPathOfTheRepository_isPlainJdbc_neverJpaOrHibernate() {
    ArchRule rule = methods().that().areDeclaredInClassesThat().implement(CacheStore.class)
        .and().haveNameMatching(REQUEST_PATH)
        .should(reachNoJpaDirectlyOrThroughTheDbModule())
        .because("a lookup or a store is one round trip with the data plane's statement and"
            + " network timeouts; an EntityManager adds a session, a flush and no timeout"
            + " (issue #12, item 3)");
    rule.check(classes);
  }

  private static ArchCondition<JavaMethod> reachNoJpaDirectlyOrThroughTheDbModule() {
    return new ArchCondition<>("use no JPA or Hibernate API, directly or through a method of"
        + " the db module") {
      @Override
      public void check(JavaMethod method, ConditionEvents events) {
        Deque<JavaCodeUnit> todo = new ArrayDeque<>();
        Set<JavaCodeUnit> seen = new HashSet<>();
        todo.push(method);
        while (!todo.isEmpty()) {
          JavaCodeUnit unit = todo.pop();
          if (!seen.add(unit)) {
            continue;
          }
          for (JavaAccess<?> access : unit.getAccessesFromSelf()) {
            JavaClass used = access.getTargetOwner();
            if (access.getTarget() instanceof FieldAccessTarget field) {
              used = field.getRawType();
            }
            if (JPA.test(used)) {
              events.add(SimpleConditionEvent.violated(method, method.getFullName() + " reaches "
                  + used.getName() + " via " + access.getDescription()));
            } else if (DB_MODULE.test(access.getTargetOwner())
                && access.getTarget() instanceof CodeUnitAccessTarget target) {
              target.resolveMember().ifPresent(todo::push);
            }
          }
        }
      }
    };
  }
}
