package dev.deja.db.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The jsonb columns (headers, params) as text, written by Writes and read back by Lookups. */
final class Json {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, List<String>>> HEADERS_TYPE =
      new TypeReference<>() {};

  private Json() {}

  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize " + value, e);
    }
  }

  static Map<String, List<String>> readHeaders(String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      return Map.copyOf(JSON.readValue(json.getBytes(StandardCharsets.UTF_8), HEADERS_TYPE));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("stored headers are not valid JSON", e);
    }
  }
}
