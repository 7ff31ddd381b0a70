package dev.deja.db.internal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * JPA view of {@code cache_entry} for admin reads and bulk deletes. The embedding, params and
 * headers columns are left unmapped: the hot path writes them with native SQL.
 */
@Entity
@Table(name = "cache_entry")
public class CacheEntryEntity {

  @Id
  @Column(name = "cache_key")
  private String cacheKey;

  private String prompt;

  @Column(name = "normalized_prompt")
  private String normalizedPrompt;

  private String model;
  private Integer width;
  private Integer height;
  private Long seed;
  private String bucket;

  @Column(name = "embedding_model_id")
  private String embeddingModelId;

  private int status;

  @Column(name = "content_type")
  private String contentType;

  @Column(name = "blob_sha256")
  private String blobSha256;

  @Column(name = "created_at")
  private Instant createdAt;

  @Column(name = "expires_at")
  private Instant expiresAt;

  @Column(name = "last_hit_at")
  private Instant lastHitAt;

  @Column(name = "exact_hits")
  private long exactHits;

  @Column(name = "semantic_hits")
  private long semanticHits;

  private String source;

  @Column(name = "alias_of")
  private String aliasOf;

  @Column(name = "alias_similarity")
  private Double aliasSimilarity;

  protected CacheEntryEntity() {}

  public String cacheKey() {
    return cacheKey;
  }

  public String prompt() {
    return prompt;
  }

  public String normalizedPrompt() {
    return normalizedPrompt;
  }

  public String model() {
    return model;
  }

  public Integer width() {
    return width;
  }

  public Integer height() {
    return height;
  }

  public Long seed() {
    return seed;
  }

  public String bucket() {
    return bucket;
  }

  public String embeddingModelId() {
    return embeddingModelId;
  }

  public int status() {
    return status;
  }

  public String contentType() {
    return contentType;
  }

  public String blobSha256() {
    return blobSha256;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public Instant lastHitAt() {
    return lastHitAt;
  }

  public long exactHits() {
    return exactHits;
  }

  public long semanticHits() {
    return semanticHits;
  }

  public String source() {
    return source;
  }

  public String aliasOf() {
    return aliasOf;
  }

  public Double aliasSimilarity() {
    return aliasSimilarity;
  }
}
