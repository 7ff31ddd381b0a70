package dev.deja.server;

import dev.deja.db.ImagePlacement;
import dev.deja.filter.DejaCache;
import dev.deja.filter.FilterSettings;
import dev.deja.db.CacheMaintenance;
import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code deja-server --migrate-images=s3|postgres}: moves the stored images into the configured
 * object store, or back into PostgreSQL, in batches, printing progress, then exits. Safe while
 * gateways serve the same cache (each image switches in one guarded update) and resumable: run it
 * again after an interruption and it continues with what is left.
 */
final class ImageMigrationCommand {

  static final int BATCH = 100;

  private ImageMigrationCommand() {}

  /**
   * Runs the migration; returns the process exit status.
   *
   * @param target {@code s3} (into the configured {@code --image-store}) or {@code postgres} (out
   *     of it); either way the bucket is the configured one
   */
  static int run(ServerConfig config, String target, PrintStream out) {
    boolean toObjects = switch (target.toLowerCase(Locale.ROOT)) {
      case "s3" -> true;
      case "postgres" -> false;
      default -> throw new ServerConfig.ConfigException(
          "--migrate-images must be s3 or postgres but was '" + target + "'");
    };
    if ("postgres".equals(config.filterSettings().get("db.image-store"))) {
      throw new ServerConfig.ConfigException("--migrate-images=" + target
          + " needs --image-store=s3://BUCKET/PREFIX: the bucket to move the images "
          + (toObjects ? "into" : "out of"));
    }
    try (DejaCache cache = FilterSettings.of(config.filterSettings()).open()) {
      CacheMaintenance store = cache.store();
      ImagePlacement start = store.imagePlacement();
      long total = toObjects ? start.inDatabase() : start.inObjectStore();
      out.printf("deja: moving %d images to %s%n", total, toObjects ? "the object store" : "postgres");
      long moved = 0;
      long began = System.nanoTime();
      while (true) {
        int n = store.migrateImages(toObjects, BATCH);
        moved += n;
        if (n == 0) {
          break;
        }
        out.printf("deja: moved %d/%d images (%.0f/s)%n", moved, total,
            moved / Math.max(1e-9, (System.nanoTime() - began) / 1e9));
      }
      ImagePlacement end = store.imagePlacement();
      out.printf("deja: done: %d images (%d bytes) in postgres, %d (%d bytes) in the object store%n",
          end.inDatabase(), end.bytesInDatabase(), end.inObjectStore(), end.bytesInObjectStore());
      return 0;
    } catch (RuntimeException e) {
      out.println("deja: error: migration stopped (run it again to resume): " + e.getMessage());
      return 1;
    }
  }
}
