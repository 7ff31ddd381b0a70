package dev.deja.db.internal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.LocalDate;

/** JPA view of {@code daily_counter}. */
@Entity
@Table(name = "daily_counter")
public class DailyCounterEntity {

  @Id
  private LocalDate day;

  private long requests;

  @Column(name = "exact_hits")
  private long exactHits;

  @Column(name = "semantic_hits")
  private long semanticHits;

  private long misses;
  private long bypasses;
  private long stores;

  @Column(name = "store_drops")
  private long storeDrops;

  protected DailyCounterEntity() {}

  public LocalDate day() {
    return day;
  }

  public long requests() {
    return requests;
  }

  public long exactHits() {
    return exactHits;
  }

  public long semanticHits() {
    return semanticHits;
  }

  public long misses() {
    return misses;
  }

  public long bypasses() {
    return bypasses;
  }

  public long stores() {
    return stores;
  }

  public long storeDrops() {
    return storeDrops;
  }
}
