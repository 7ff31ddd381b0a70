package dev.deja.filter.store;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.deja.db.EntrySource;
import dev.deja.db.StoredResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The in-memory tier keeps no image a store read returned from before a deletion it heard of: such
 * an image would answer for a whole hotCacheLifetime after the takedown (attack15: a read replica
 * within db.read-max-lag still held the entry when the deletion's message arrived).
 */
class HotCacheTest {

  private static final Duration LIFETIME = Duration.ofSeconds(60);
  /** db.read-max-lag 1 s plus one 200 ms lag check. */
  private static final Duration REPLICA = Duration.ofMillis(1200);

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final Ticker ticker = nanos::get;
  private final Instant now = Instant.parse("2026-11-30T18:00:00Z");

  private HotCache tier(Duration readStaleness) {
    return new HotCache(1 << 20, LIFETIME, readStaleness, ticker);
  }

  private void elapse(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  private StoredResponse image(String key) {
    return new StoredResponse(key, 200, "image/png", Map.of(), new byte[] {1, 2, 3},
        now.minusSeconds(1), now.plus(Duration.ofDays(1)), EntrySource.ORIGIN, "p", "b", null,
        null, null);
  }

  @Test
  void givenADeletionWhileAReadWasOnItsWay_theImageReadIsNotKept() {
    HotCache hot = tier(Duration.ZERO);
    long readStarted = hot.readStarts();
    elapse(Duration.ofMillis(5));
    hot.invalidateEntry("k"); // the deletion's message arrives before the read returns
    elapse(Duration.ofMillis(5));
    hot.putRead("k", image("k"), readStarted);
    assertNull(hot.get("k", now), "an image read before its deletion answers after it");
  }

  @Test
  void givenAReadStartedAfterTheDeletionOnThePrimary_theImageIsKept() {
    HotCache hot = tier(Duration.ZERO);
    hot.invalidateEntry("k");
    elapse(Duration.ofMillis(1));
    hot.putRead("k", image("k"), hot.readStarts()); // stored again since, and read again
    assertNotNull(hot.get("k", now));
  }

  @Test
  void givenALaggingReplica_anImageReadWithinItsLagBoundAfterADeletionIsNotKept_oneReadLaterIs() {
    HotCache hot = tier(REPLICA);
    hot.invalidateEntry("k");
    elapse(Duration.ofMillis(150)); // the replica has not replayed the deletion yet
    hot.putRead("k", image("k"), hot.readStarts());
    assertNull(hot.get("k", now), "a replica's stale copy kept for a whole hotCacheLifetime");

    elapse(Duration.ofMillis(1100)); // past the replica's lag bound: it has replayed the deletion
    hot.putRead("k", image("k"), hot.readStarts());
    assertNotNull(hot.get("k", now), "an image stored again is kept again");
  }

  @Test
  void givenADeletedTarget_aSemanticAliasOfItReadBeforeTheDeletionIsNotKept() {
    HotCache hot = tier(REPLICA);
    long readStarted = hot.readStarts();
    hot.invalidateEntries(List.of("target"));
    hot.putRead("request", image("target").asAliasOf("target", 0.95), readStarted);
    assertNull(hot.get("request", now));
  }

  @Test
  void givenTheWholeTierWasDropped_noReadThatMayPredateItIsKept_anOriginImageIs() {
    HotCache hot = tier(REPLICA);
    long readStarted = hot.readStarts();
    hot.invalidateAll(); // a purge, or a possibly lost message
    hot.putRead("k", image("k"), readStarted);
    assertNull(hot.get("k", now));

    hot.put("k", image("k")); // just drawn by the origin: no store read to predate anything
    assertNotNull(hot.get("k", now));
  }

  @Test
  void givenAReadSlowerThanMaxRead_itsImageIsNotKept() {
    HotCache hot = tier(Duration.ZERO);
    long readStarted = hot.readStarts();
    elapse(HotCache.MAX_READ.plusMillis(1)); // deletions it could predate may be forgotten
    hot.putRead("k", image("k"), readStarted);
    assertNull(hot.get("k", now));
  }

  @Test
  void givenNoDeletion_anImageReadIsKept() {
    HotCache hot = tier(REPLICA);
    hot.putRead("k", image("k"), hot.readStarts());
    assertNotNull(hot.get("k", now));
  }
}
