package dev.deja.db.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deja.db.Invalidation;
import dev.deja.db.Invalidation.Everything;
import dev.deja.db.Invalidation.Keys;
import dev.deja.db.Invalidation.Purge;
import dev.deja.db.PurgeCriteria;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The JSON form: {@code {"keys":[...]}}, {@code {"purge":{...}}} or {@code {"all":true}}. */
public final class InvalidationCodec {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** {@code {"keys":[]}} */
  public static final int KEYS_ENVELOPE = 11;

  private InvalidationCodec() {}

  /** A key's share of a keys message: quoted, escaped, and a comma. */
  public static int encodedKeyBytes(String key) {
    try {
      return JSON.writeValueAsBytes(key).length + 1;
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public static String encode(Invalidation message) {
    ObjectNode node = JSON.createObjectNode();
    if (message instanceof Keys k) {
      ArrayNode keys = node.putArray("keys");
      k.keys().forEach(keys::add);
    } else if (message instanceof Purge p) {
      ObjectNode criteria = node.putObject("purge");
      criteria.put("model", p.criteria().model());
      criteria.put("bucket", p.criteria().bucket());
      Instant before = p.criteria().createdBefore();
      criteria.put("createdBefore", before == null ? null : before.toString());
    } else {
      node.put("all", true);
    }
    return node.toString();
  }

  public static Invalidation decode(String payload) {
    try {
      JsonNode node = JSON.readTree(payload);
      if (node != null && node.get("keys") instanceof ArrayNode keys) {
        List<String> list = new ArrayList<>();
        keys.forEach(k -> list.add(k.asText()));
        return new Keys(list);
      }
      if (node != null && node.get("purge") instanceof ObjectNode p) {
        String before = text(p, "createdBefore");
        return new Purge(new PurgeCriteria(text(p, "model"), text(p, "bucket"),
            before == null ? null : Instant.parse(before)));
      }
    } catch (IOException | RuntimeException e) {
      // fall through: forgetting everything is always correct
    }
    return new Everything();
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
