package dev.deja.db;

import dev.deja.db.internal.InvalidationCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What every instance must forget from its in-memory tier after a deletion in the shared store:
 * some keys (a delete, an eviction pass), the entries a purge matched, or everything (a message
 * that would not fit). Sent between instances by {@link Coordination}; applying one twice is
 * harmless.
 */
public sealed interface Invalidation {

  /**
   * Largest encoded message, in UTF-8 bytes: PostgreSQL refuses a {@code NOTIFY} payload of 8000
   * bytes or more; the rest is headroom for the envelope.
   */
  int MAX_PAYLOAD_BYTES = 7900;

  /** These keys, and every alias of them. */
  record Keys(List<String> keys) implements Invalidation {
    public Keys {
      keys = List.copyOf(keys);
    }
  }

  /** The entries {@code criteria} matched. */
  record Purge(PurgeCriteria criteria) implements Invalidation {
    public Purge {
      Objects.requireNonNull(criteria, "criteria");
    }
  }

  /** Everything: used when a message would exceed {@link #MAX_PAYLOAD_BYTES}. */
  record Everything() implements Invalidation {}

  /**
   * {@code keys} as few messages as fit the payload limit, in order; a single key too long for one
   * message turns the whole batch into {@link Everything}.
   */
  static List<Invalidation> ofKeys(Collection<String> keys) {
    List<Invalidation> messages = new ArrayList<>();
    List<String> batch = new ArrayList<>();
    int bytes = InvalidationCodec.KEYS_ENVELOPE;
    for (String key : keys) {
      int size = InvalidationCodec.encodedKeyBytes(key);
      if (InvalidationCodec.KEYS_ENVELOPE + size > MAX_PAYLOAD_BYTES) {
        return List.of(new Everything());
      }
      if (bytes + size > MAX_PAYLOAD_BYTES) {
        messages.add(new Keys(batch));
        batch = new ArrayList<>();
        bytes = InvalidationCodec.KEYS_ENVELOPE;
      }
      batch.add(key);
      bytes += size;
    }
    if (!batch.isEmpty()) {
      messages.add(new Keys(batch));
    }
    return messages;
  }

  /** The message as a notification payload; a purge too large for one becomes everything. */
  default String encode() {
    String payload = InvalidationCodec.encode(this);
    return payload.getBytes(StandardCharsets.UTF_8).length <= MAX_PAYLOAD_BYTES
        ? payload
        : InvalidationCodec.encode(new Everything());
  }

  /**
   * Reads a payload written by {@link #encode()}; anything unreadable (another version's format)
   * is {@link Everything}, the one reading that is always safe.
   */
  static Invalidation decode(String payload) {
    return InvalidationCodec.decode(payload);
  }
}
