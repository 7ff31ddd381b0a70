package dev.deja.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Messages between instances: each fits a NOTIFY payload, and reads back as it was sent. */
class InvalidationTest {

  private static String sha(int i) {
    return String.format("%064x", i);
  }

  @Test
  void keys_roundTrip() {
    Invalidation keys = new Invalidation.Keys(List.of(sha(1), "admin key with \"quotes\"\n"));
    assertEquals(keys, Invalidation.decode(keys.encode()));
  }

  @Test
  void purge_roundTripsItsCriteria_asOneMessage() {
    Invalidation purge = new Invalidation.Purge(
        new PurgeCriteria("flux", null, Instant.parse("2026-11-30T12:00:00Z")));
    assertEquals(purge, Invalidation.decode(purge.encode()));
  }

  @Test
  void thousandsOfEvictedKeys_areSplitIntoMessagesUnderThePayloadLimit_inOrder() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      keys.add(sha(i));
    }
    List<Invalidation> messages = Invalidation.ofKeys(keys);

    List<String> back = new ArrayList<>();
    for (Invalidation m : messages) {
      String payload = m.encode();
      assertTrue(payload.getBytes(StandardCharsets.UTF_8).length < 8000, "NOTIFY limit");
      back.addAll(((Invalidation.Keys) Invalidation.decode(payload)).keys());
    }
    assertEquals(keys, back);
    assertTrue(messages.size() < 50, "about 115 keys a message: " + messages.size());
  }

  @Test
  void aKeyTooLongForAnyMessage_becomesEverything() {
    assertEquals(List.of(new Invalidation.Everything()),
        Invalidation.ofKeys(List.of(sha(1), "k".repeat(9000))));
  }

  @Test
  void anUnreadablePayload_readsAsEverything_theAlwaysSafeReading() {
    assertEquals(new Invalidation.Everything(), Invalidation.decode("{\"v2\":[1,2]}"));
    assertEquals(new Invalidation.Everything(), Invalidation.decode("not json"));
  }

  @Test
  void pgvectorOlderThan083_isRecognised() {
    assertTrue(DejaDatabase.olderThan("0.8.0", "0.8.3"));
    assertTrue(DejaDatabase.olderThan("0.7.4", "0.8.3"));
    assertTrue(!DejaDatabase.olderThan("0.8.3", "0.8.3"));
    assertTrue(!DejaDatabase.olderThan("0.10.0", "0.8.3"));
    assertTrue(!DejaDatabase.olderThan("1.0", "0.8.3"));
  }
}
