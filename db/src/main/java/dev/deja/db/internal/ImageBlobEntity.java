package dev.deja.db.internal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** JPA view of {@code image_blob} metadata; the bytes are read with native SQL only. */
@Entity
@Table(name = "image_blob")
public class ImageBlobEntity {

  @Id
  private String sha256;

  @Column(name = "storage_uri")
  private String storageUri;

  @Column(name = "byte_size")
  private long byteSize;

  @Column(name = "content_type")
  private String contentType;

  @Column(name = "created_at")
  private Instant createdAt;

  protected ImageBlobEntity() {}

  public String sha256() {
    return sha256;
  }

  public String storageUri() {
    return storageUri;
  }

  public long byteSize() {
    return byteSize;
  }

  public String contentType() {
    return contentType;
  }

  public Instant createdAt() {
    return createdAt;
  }
}
