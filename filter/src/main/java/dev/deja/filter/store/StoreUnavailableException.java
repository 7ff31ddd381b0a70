package dev.deja.filter.store;

/** The store could not answer in time; the request goes to the origin instead. */
public class StoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
