package dev.deja.db;

/**
 * An entry's image is gone from the object store (deleted behind Deja's back, a lifecycle rule, a
 * restored bucket). Not an outage: the entry that pointed to it has already been dropped, so the
 * caller treats the request as a miss and the origin's answer stores it again.
 */
public class ImageMissingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String uri;

  public ImageMissingException(String uri) {
    super("image object missing: " + uri);
    this.uri = uri;
  }

  /** The object's URI, e.g. {@code s3://bucket/images/<sha256>-<nonce>}. */
  public String uri() {
    return uri;
  }
}
