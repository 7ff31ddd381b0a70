package dev.deja.db.internal;

import static dev.deja.db.internal.Failures.unavailable;

import dev.deja.db.CacheUnavailableException;
import dev.deja.db.ImageBody;
import dev.deja.db.ImageMissingException;
import dev.deja.db.objects.ObjectStore;
import dev.deja.db.objects.StoredObject;
import java.io.InputStream;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules that tie image rows to objects in an object store, in one place: how a row's image is
 * read (whole when small, streamed when large), what a missing object does to its entries, and
 * which objects the sweep may delete. Absent an object store, rows with bytes work as always and a
 * row pointing to an object is an outage ({@code object-store} unavailable), never a wrong image.
 */
final class ObjectImages {

  /**
   * Images up to this size are read whole during the lookup, so a missing object is a plain miss
   * and the image can fill the in-memory tier; larger ones are streamed to the client.
   */
  static final long READ_WHOLE_UP_TO = 1 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(ObjectImages.class);

  // The entries first (the foreign key), and only while the row still names that object: a
  // migration or a repair may already have moved the image elsewhere.
  private static final String DROP_ENTRIES = "DELETE FROM cache_entry WHERE blob_sha256 = ?"
      + " AND EXISTS (SELECT 1 FROM image_blob WHERE sha256 = ? AND storage_uri = ?)";
  private static final String DROP_BLOB =
      "DELETE FROM image_blob WHERE sha256 = ? AND storage_uri = ?";
  private static final String REFERENCED =
      "SELECT storage_uri FROM image_blob WHERE storage_uri = ANY (?::text[])";

  private final ObjectStore objects;
  private final BoundConnections connections;
  /** Where the object sweep continues: it pages through the bucket across calls. */
  private volatile String sweepCursor;

  /** @param objects the object store, or {@code null} when none is configured */
  ObjectImages(ObjectStore objects, BoundConnections connections) {
    this.objects = objects;
    this.connections = connections;
  }

  /** Whether new images are written to the object store. */
  boolean writesObjects() {
    return objects != null && objects.location().isObjectStore();
  }

  /** Writes and verifies an object for a blob row that does not exist yet; returns its URI. */
  String put(String sha256, byte[] bytes, String contentType) {
    return store().put(sha256, bytes, contentType);
  }

  /**
   * The image of a row: its bytes, or its object. A small object is read here (a missing one drops
   * the row's entries and gives {@code null}: a miss); a large one is opened when it is served.
   *
   * @return the body, or {@code null} when the object is gone
   */
  ImageBody body(String sha256, byte[] bytes, String uri, long size) {
    if (bytes != null) {
      return ImageBody.of(bytes);
    }
    Objects.requireNonNull(uri, "a blob row holds bytes or a storage_uri");
    if (size <= READ_WHOLE_UP_TO) {
      try {
        return ImageBody.of(store().read(uri));
      } catch (ImageMissingException e) {
        dropMissing(sha256, uri);
        return null;
      }
    }
    return new Streamed(sha256, uri, size);
  }

  /**
   * An object that is gone makes every entry sharing it useless: drop them and the row, so the
   * next request goes to the origin and stores the image again.
   */
  void dropMissing(String sha256, String uri) {
    LOG.warn("Deja: image object {} is missing; its entries are dropped and will be refetched",
        uri);
    try (Connection c = connections.store();
        PreparedStatement entries = c.prepareStatement(DROP_ENTRIES);
        PreparedStatement blob = c.prepareStatement(DROP_BLOB)) {
      entries.setString(1, sha256);
      entries.setString(2, sha256);
      entries.setString(3, uri);
      entries.executeUpdate();
      blob.setString(1, sha256);
      blob.setString(2, uri);
      blob.executeUpdate();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      // The request still becomes a miss; the next reader of the row tries again.
      LOG.warn("Deja: could not drop the entries of missing object {}", uri, e);
    }
  }

  /**
   * Deletes objects whose rows a committed transaction deleted. Best effort: one that fails stays
   * in the bucket until {@link #sweep} finds it unreferenced.
   */
  void deleteAfterCommit(Collection<String> uris) {
    for (String uri : uris) {
      if (uri == null) {
        continue;
      }
      try {
        store().delete(uri);
      } catch (RuntimeException e) {
        LOG.warn("Deja: could not delete object {}; the object sweep will", uri, e);
      }
    }
  }

  /**
   * Looks at up to {@code batchSize} objects of the bucket, continuing where the last call ended,
   * and deletes those older than {@code grace} that no row references: objects written by a store
   * that failed before its row committed, or whose deletion failed. Objects are never rewritten
   * (unique keys), so an object's age is the time since its store began.
   *
   * @return objects deleted
   */
  int sweep(Duration grace, int batchSize) {
    if (objects == null) {
      return 0;
    }
    Instant cutoff = Instant.now().minus(grace);
    List<StoredObject> page = objects.list(sweepCursor, Math.min(batchSize, 1000));
    sweepCursor = page.size() < Math.min(batchSize, 1000) ? null : page.get(page.size() - 1).uri();
    List<String> old = new ArrayList<>();
    for (StoredObject o : page) {
      // Only Deja's own objects: anything else that shares the prefix is left alone.
      if (objects.owns(o.uri()) && o.lastModified() != null && o.lastModified().isBefore(cutoff)) {
        old.add(o.uri());
      }
    }
    if (old.isEmpty()) {
      return 0;
    }
    Set<String> referenced = new HashSet<>();
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement(REFERENCED)) {
      Array uris = c.createArrayOf("text", old.toArray());
      ps.setArray(1, uris);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          referenced.add(rs.getString(1));
        }
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      throw unavailable("sweepObjects", e);
    }
    int deleted = 0;
    for (String uri : old) {
      if (!referenced.contains(uri)) {
        store().delete(uri);
        deleted++;
      }
    }
    return deleted;
  }

  /** The object store; a row pointing into one while none is configured is an outage. */
  ObjectStore store() {
    if (objects == null) {
      throw new CacheUnavailableException(ObjectStore.COMPONENT, "address",
          new IllegalStateException("an image lives in an object store but none is configured"
              + " (set the image store settings, or migrate the images back to postgres)"));
    }
    return objects;
  }

  /** A large object, opened only when it is served; a missing one drops its entries then. */
  private final class Streamed implements ImageBody {
    private final String sha256;
    private final String uri;
    private final long size;

    Streamed(String sha256, String uri, long size) {
      this.sha256 = sha256;
      this.uri = uri;
      this.size = size;
    }

    @Override
    public long length() {
      return size;
    }

    @Override
    public byte[] inMemory() {
      return null;
    }

    @Override
    public InputStream open(long from, long count) {
      Objects.checkFromIndexSize(from, count, size);
      try {
        return store().open(uri, from, count);
      } catch (ImageMissingException e) {
        dropMissing(sha256, uri);
        throw e;
      }
    }

    @Override
    public String toString() {
      return uri + " (" + size + " bytes)";
    }
  }
}
