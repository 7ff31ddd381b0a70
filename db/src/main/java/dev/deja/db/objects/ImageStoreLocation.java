package dev.deja.db.objects;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where new images are written: {@code postgres} (the {@code image_blob.bytes} column) or an
 * S3-compatible bucket, {@code s3://BUCKET/PREFIX}. Images already stored elsewhere stay readable
 * wherever their row says they are.
 *
 * @param bucket the bucket, or {@code null} for {@code postgres}
 * @param prefix key prefix inside the bucket without a trailing slash, possibly empty
 */
public record ImageStoreLocation(String bucket, String prefix) {

  /** Images in PostgreSQL. */
  public static final ImageStoreLocation POSTGRES = new ImageStoreLocation(null, "");

  // S3 bucket naming rules (lowercase, digits, dots, dashes; 3 to 63 chars).
  private static final Pattern S3 =
      Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(.*))?");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()/-]*");

  public ImageStoreLocation {
    prefix = prefix == null ? "" : prefix;
  }

  /**
   * Parses {@code postgres} or {@code s3://BUCKET/PREFIX}.
   *
   * @throws IllegalArgumentException with the accepted forms
   */
  public static ImageStoreLocation parse(String value) {
    Objects.requireNonNull(value, "value");
    if (value.equals("postgres")) {
      return POSTGRES;
    }
    Matcher m = S3.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "must be postgres or s3://BUCKET/PREFIX (a lowercase S3 bucket name) but was '"
              + value + "'");
    }
    String prefix = m.group(2) == null ? "" : m.group(2).replaceAll("/+$", "");
    if (!PREFIX.matcher(prefix).matches() || prefix.startsWith("/") || prefix.contains("//")
        || prefix.contains("..")) {
      throw new IllegalArgumentException("the prefix of " + value
          + " may hold only letters, digits, / and !_.*'()- (no empty or .. segments)");
    }
    return new ImageStoreLocation(m.group(1), prefix);
  }

  /** Whether new images go to an object store. */
  public boolean isObjectStore() {
    return bucket != null;
  }

  @Override
  public String toString() {
    return bucket == null ? "postgres" : "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }
}
