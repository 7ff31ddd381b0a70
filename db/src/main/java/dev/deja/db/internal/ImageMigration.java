package dev.deja.db.internal;

import static dev.deja.db.internal.Failures.requirePositive;
import static dev.deja.db.internal.Failures.unavailable;

import dev.deja.db.ImageMissingException;
import dev.deja.db.ImagePlacement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves images between PostgreSQL and the object store while the gateway serves. Each image moves
 * on its own: the copy is written and verified first, then one {@code UPDATE} switches the row,
 * guarded by what the row held when it was read, so a concurrent store, eviction or second
 * migrator never loses an image; the old copy is removed after that commit. Resumable by
 * construction: a rerun picks up the rows still on the old side.
 */
final class ImageMigration {

  private static final String IN_DATABASE = "SELECT sha256, content_type FROM image_blob"
      + " WHERE bytes IS NOT NULL ORDER BY sha256 LIMIT ?";
  private static final String BYTES_OF =
      "SELECT bytes FROM image_blob WHERE sha256 = ? AND bytes IS NOT NULL";
  private static final String TO_OBJECT = "UPDATE image_blob SET storage_uri = ?, bytes = NULL"
      + " WHERE sha256 = ? AND bytes IS NOT NULL";
  private static final String IN_OBJECTS = "SELECT sha256, storage_uri FROM image_blob"
      + " WHERE bytes IS NULL ORDER BY sha256 LIMIT ?";
  private static final String TO_DATABASE = "UPDATE image_blob SET bytes = ?, storage_uri = NULL"
      + " WHERE sha256 = ? AND storage_uri = ?";
  private static final String PLACEMENT = "SELECT"
      + " count(*) FILTER (WHERE bytes IS NOT NULL),"
      + " coalesce(sum(byte_size) FILTER (WHERE bytes IS NOT NULL), 0),"
      + " count(*) FILTER (WHERE bytes IS NULL),"
      + " coalesce(sum(byte_size) FILTER (WHERE bytes IS NULL), 0) FROM image_blob";

  private final BoundConnections connections;
  private final ObjectImages objects;

  ImageMigration(BoundConnections connections, ObjectImages objects) {
    this.connections = connections;
    this.objects = objects;
  }

  /** Moves up to {@code batchSize} images from PostgreSQL to the object store; returns how many. */
  int toObjectStore(int batchSize) {
    requirePositive("batchSize", batchSize);
    if (!objects.writesObjects()) {
      throw new IllegalStateException("moving images to an object store needs one: set the image"
          + " store to s3://BUCKET/PREFIX first");
    }
    int moved = 0;
    try {
      for (String[] blob : rows(IN_DATABASE, batchSize)) {
        byte[] bytes = bytesOf(blob[0]);
        if (bytes == null) {
          continue; // moved or deleted since the batch was read
        }
        String uri = objects.put(blob[0], bytes, blob[1]);
        if (update(TO_OBJECT, uri, blob[0])) {
          moved++;
        } else {
          objects.deleteAfterCommit(List.of(uri)); // the row changed meanwhile: keep what it has
        }
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("migrateImages", e);
    }
    return moved;
  }

  /** Moves up to {@code batchSize} images from the object store into PostgreSQL; returns how many. */
  int toDatabase(int batchSize) {
    requirePositive("batchSize", batchSize);
    int moved = 0;
    try {
      for (String[] blob : rows(IN_OBJECTS, batchSize)) {
        byte[] bytes;
        try {
          bytes = objects.store().read(blob[1]);
        } catch (ImageMissingException e) {
          objects.dropMissing(blob[0], blob[1]); // nothing to move; its entries are refetched
          continue;
        }
        if (update(TO_DATABASE, bytes, blob[0], blob[1])) {
          moved++;
          objects.deleteAfterCommit(List.of(blob[1]));
        }
      }
    } catch (SQLException | RuntimeException e) {
      throw unavailable("migrateImages", e);
    }
    return moved;
  }

  ImagePlacement placement() {
    try (Connection c = connections.store();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(PLACEMENT)) {
      rs.next();
      ImagePlacement p = new ImagePlacement(rs.getLong(1), rs.getLong(2), rs.getLong(3),
          rs.getLong(4));
      c.commit();
      return p;
    } catch (SQLException | RuntimeException e) {
      throw unavailable("imagePlacement", e);
    }
  }

  private List<String[]> rows(String sql, int limit) throws SQLException {
    List<String[]> out = new ArrayList<>();
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
      c.commit();
    }
    return out;
  }

  private byte[] bytesOf(String sha) throws SQLException {
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement(BYTES_OF)) {
      ps.setString(1, sha);
      try (ResultSet rs = ps.executeQuery()) {
        byte[] bytes = rs.next() ? rs.getBytes(1) : null;
        c.commit();
        return bytes;
      }
    }
  }

  private boolean update(String sql, Object... args) throws SQLException {
    try (Connection c = connections.store();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      boolean changed = ps.executeUpdate() == 1;
      c.commit();
      return changed;
    }
  }
}
