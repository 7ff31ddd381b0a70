package dev.deja.db;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The bytes of a stored image: held in memory, or read on demand from an object store, so an
 * image of many megabytes is streamed to the client rather than buffered whole.
 */
public interface ImageBody {

  /** The image's size in bytes. */
  long length();

  /** The bytes when they are in memory, else {@code null} (they are read by {@link #open}). */
  byte[] inMemory();

  /**
   * The bytes {@code [from, from + count)}. For an object-store image this is where a missing
   * object shows, before anything has been sent.
   *
   * @throws ImageMissingException the object is gone from the store (the entry has been dropped)
   * @throws CacheUnavailableException the store cannot be reached
   */
  InputStream open(long from, long count) throws IOException;

  /** The whole image in memory (read from the store if need be). */
  default byte[] readAll() throws IOException {
    byte[] bytes = inMemory();
    if (bytes != null) {
      return bytes;
    }
    try (InputStream in = open(0, length())) {
      return in.readAllBytes();
    }
  }

  /** Bytes already in memory; never copied, so the caller must not modify them afterwards. */
  static ImageBody of(byte[] bytes) {
    return new InMemory(bytes);
  }

  /** An image held in memory. */
  record InMemory(byte[] bytes) implements ImageBody {

    public InMemory {
      Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public long length() {
      return bytes.length;
    }

    @Override
    public byte[] inMemory() {
      return bytes;
    }

    @Override
    public InputStream open(long from, long count) {
      Objects.checkFromIndexSize(from, count, bytes.length);
      return new ByteArrayInputStream(bytes, (int) from, (int) count);
    }
  }
}
