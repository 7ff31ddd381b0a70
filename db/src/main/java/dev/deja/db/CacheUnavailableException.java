package dev.deja.db;

import java.util.Objects;

/**
 * The cache's store could not answer: unreachable, too slow, or failing. Thrown by {@link
 * CacheStore} and by every store of the filter's storage contract; one type for both,
 * because the caller's reaction is the same whichever store failed (answer from the origin, retry a
 * background write), and {@link #component()} already says which store it was.
 *
 * <p>Unchecked on purpose: callers on the request path catch it in one place and fall through to
 * the origin, so a sick database never breaks a request.
 */
public class CacheUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String component;
  private final String operation;

  public CacheUnavailableException(String component, String operation, Throwable cause) {
    super(component + " unavailable during " + operation + ": "
        + (cause == null ? "unknown cause" : cause.getMessage()), cause);
    this.component = Objects.requireNonNull(component, "component");
    this.operation = Objects.requireNonNull(operation, "operation");
  }

  /** What failed, e.g. {@code "postgresql"} or {@code "memory"}. */
  public String component() {
    return component;
  }

  /** The repository operation that was running, e.g. {@code "findExact"}. */
  public String operation() {
    return operation;
  }
}
