package dev.deja.db.objects;

import dev.deja.db.CacheUnavailableException;
import dev.deja.db.ImageMissingException;
import java.io.InputStream;
import java.util.List;

/**
 * Image bytes in an object store, addressed by URI ({@code s3://bucket/key}). The database row is
 * what makes an object reachable; this interface only moves bytes. Every object is written once,
 * under a key no other write uses ({@link #put}), and never overwritten: that is what lets the
 * sweep of unreferenced objects trust an object's age.
 *
 * <p>Every method may throw {@link CacheUnavailableException} (component {@code object-store}).
 * Implementations are thread-safe.
 */
public interface ObjectStore extends AutoCloseable {

  /** The component name in {@link CacheUnavailableException}s and metrics. */
  String COMPONENT = "object-store";

  /**
   * Writes {@code bytes} under a new key derived from their SHA-256 and checks the store holds all
   * of them before returning.
   *
   * @return the new object's URI
   */
  String put(String sha256, byte[] bytes, String contentType);

  /**
   * The whole object.
   *
   * @throws ImageMissingException when no object has that URI
   */
  byte[] read(String uri);

  /**
   * A stream of the object's bytes {@code [from, from + count)}; the caller closes it. A missing
   * object throws here, before any byte is read.
   *
   * @throws ImageMissingException when no object has that URI
   */
  InputStream open(String uri, long from, long count);

  /** Deletes the object; deleting a missing object is not an error. */
  void delete(String uri);

  /**
   * Up to {@code max} objects under this store's prefix, in key order, starting after {@code
   * afterUri} ({@code null}: from the first): every object there, Deja's or not ({@link #owns}).
   */
  List<StoredObject> list(String afterUri, int max);

  /**
   * Whether {@code uri} names an object this store writes: its bucket and prefix, and a name of the
   * form {@code <sha256>-<nonce>}. The sweep deletes nothing else.
   */
  boolean owns(String uri);

  /** Checks that the bucket can be reached, so a wrong name fails at startup, not per image. */
  void check();

  /** The store's location, for logs and stats. */
  ImageStoreLocation location();

  @Override
  void close();
}
