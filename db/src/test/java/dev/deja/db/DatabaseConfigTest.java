package dev.deja.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DatabaseConfigTest {

  private static DatabaseConfig.Builder valid() {
    return DatabaseConfig.builder().url("jdbc:postgresql://127.0.0.1:5432/deja").user("u")
        .password("s3cret").embeddingDimension(384);
  }

  @Test
  void build_appliesDocumentedDefaults() {
    DatabaseConfig c = valid().build();
    assertEquals("deja", c.schema());
    assertEquals(10, c.maxPoolSize());
    assertEquals(Duration.ofMillis(50), c.lookupTimeout());
    assertEquals(Duration.ofMillis(250), c.connectionTimeout());
    assertEquals(Duration.ofSeconds(2), c.storeTimeout());
    assertEquals(DatabaseConfig.DEFAULT_HNSW_EF_SEARCH, c.hnswEfSearch());
  }

  @Test
  void readUrl_isOptional_andAPasswordInItIsMasked() {
    assertEquals(null, valid().build().readUrl(), "lookups read the primary by default");
    assertEquals(Duration.ofSeconds(1), valid().build().readMaxLag());
    DatabaseConfig c = valid().readUrl("jdbc:postgresql://replica:5432/deja?password=hush").build();
    assertFalse(c.toString().contains("hush"), c.toString());
    assertEquals(null, valid().readUrl("").build().readUrl(), "empty means none");
  }

  @Test
  void toString_masksPassword() {
    String s = valid().build().toString();
    assertFalse(s.contains("s3cret"), s);
    assertTrue(s.contains("****"), s);
  }

  @Test
  void builder_rejectsBadValues_namingFieldAndRule() {
    assertMessage("embeddingDimension must be within 1..2000",
        () -> valid().embeddingDimension(0));
    assertMessage("maxPoolSize must be >= 1", () -> valid().maxPoolSize(0));
    assertMessage("connectionTimeout must be >= 250ms",
        () -> valid().connectionTimeout(Duration.ofMillis(100)));
    assertMessage("lookupTimeout must be >= 1ms", () -> valid().lookupTimeout(Duration.ZERO));
    assertMessage("hnswEfSearch must be within 1..1000", () -> valid().hnswEfSearch(0));
    assertMessage("hnswEfSearch must be within 1..1000", () -> valid().hnswEfSearch(1001));
    assertMessage("schema must match", () -> valid().schema("Deja; DROP"));
    assertMessage("url must start with jdbc:postgresql:", () -> valid().url("jdbc:mysql://x"));
    assertMessage("readUrl must start with jdbc:postgresql:",
        () -> valid().readUrl("jdbc:mysql://x?password=hidden"));
    assertMessage("readMaxLag must be >= 1ms", () -> valid().readMaxLag(Duration.ZERO));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> DatabaseConfig.builder().url("jdbc:postgresql://h/d").user("u").build());
    assertTrue(e.getMessage().contains("embeddingDimension is required"), e.getMessage());
  }

  private static void assertMessage(String expected, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
