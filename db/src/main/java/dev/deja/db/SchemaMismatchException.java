package dev.deja.db;

/** The existing schema cannot serve this configuration (e.g. a different embedding dimension). */
public class SchemaMismatchException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SchemaMismatchException(String message) {
    super(message);
  }
}
