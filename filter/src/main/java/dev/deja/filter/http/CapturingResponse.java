package dev.deja.filter.http;

import dev.deja.filter.store.ByteBudget;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Passes the origin's answer to the client as it arrives and keeps a copy of at most {@code
 * limit} bytes, so a miss costs the client nothing: no buffering, first byte as soon as the origin
 * sends it. Just before the response commits it calls {@code beforeCommit}, which adds Deja's
 * headers (they can depend on the origin's status and headers).
 *
 * <p>A body larger than the limit, beyond the shared {@link ByteBudget}, written through a {@code
 * Writer}, or cut short by an I/O error is passed on but marked as not capturable. The copy's bytes
 * stay reserved in the budget until {@link #releaseCapture()}, or until whoever took the body with
 * {@link #handOffCapture()} closes the reservation.
 *
 * <p>A failure (a write that did not finish, an error after the answer started, {@link #fail()})
 * is reported once to the {@link #onFailure(Runnable) failure listener}: containers may end such
 * an exchange without any further event (Jetty aborts the connection and calls no {@code
 * AsyncListener}), so this can be the only sign that it is over.
 */
public final class CapturingResponse extends HttpServletResponseWrapper {

  private final int limit;
  private final ByteBudget budget;
  private final Consumer<CapturingResponse> beforeCommit;
  private BodyCapture copy;
  private boolean handedOff;
  /** The cache answered instead (stale-if-error): whatever the origin still sends is discarded. */
  private boolean replaced;
  private boolean decidedAgain;
  private boolean capturable;
  private boolean headersWritten;
  private volatile boolean failed;
  private Runnable onFailure = () -> {};
  private long expectedLength = -1;
  private int status = SC_OK;
  private final List<String> originCacheStatus = new ArrayList<>(1);
  private TeeStream stream;

  /**
   * @param capture whether to keep a copy at all (false for bypassed requests)
   * @param limit the largest body kept, in bytes
   * @param budget the bytes all captures and queued stores may hold together
   */
  public CapturingResponse(
      HttpServletResponse response,
      boolean capture,
      int limit,
      ByteBudget budget,
      Consumer<CapturingResponse> beforeCommit) {
    super(response);
    this.limit = limit;
    this.budget = budget;
    this.capturable = capture;
    this.beforeCommit = beforeCommit;
  }

  /** Adds Deja's headers once, before the first byte or an explicit commit. */
  public void commitHeaders() {
    if (!headersWritten && !replaced) {
      headersWritten = true;
      if (!super.isCommitted()) {
        try {
          beforeCommit.accept(this);
        } catch (RuntimeException e) {
          // Deja's headers are not worth the origin's answer: pass it on without them.
          fail();
          org.slf4j.LoggerFactory.getLogger(CapturingResponse.class)
              .warn("Deja: could not add cache headers; answer passed on uncached", e);
        }
      }
    }
  }

  // --- what the origin did -------------------------------------------------------------------

  @Override
  public void setStatus(int sc) {
    if (replaced) {
      return;
    }
    status = sc;
    super.setStatus(sc);
  }

  @Override
  public int getStatus() {
    return status;
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    failIfCommitted();
    errorBeforeCommit(sc);
    if (!replaced) {
      super.sendError(sc, msg);
    }
  }

  @Override
  public void sendError(int sc) throws IOException {
    failIfCommitted();
    errorBeforeCommit(sc);
    if (!replaced) {
      super.sendError(sc);
    }
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    if (!replaced) {
      status = SC_FOUND;
    }
    commitHeaders();
    if (!replaced) {
      super.sendRedirect(location);
    }
  }

  @Override
  public void setContentLength(int len) {
    setContentLengthLong(len);
  }

  @Override
  public void setContentLengthLong(long len) {
    if (replaced) {
      return;
    }
    expectedLength = len;
    if (len > limit) {
      drop();
    }
    super.setContentLengthLong(len);
  }

  @Override
  public void setHeader(String name, String value) {
    if (intercepted(name, value, true)) {
      super.setHeader(name, value);
    }
  }

  @Override
  public void addHeader(String name, String value) {
    if (intercepted(name, value, false)) {
      super.addHeader(name, value);
    }
  }

  @Override
  public void setIntHeader(String name, int value) {
    setHeader(name, Integer.toString(value));
  }

  @Override
  public void addIntHeader(String name, int value) {
    addHeader(name, Integer.toString(value));
  }

  /** Returns whether the header goes on to the client as the origin set it. */
  private boolean intercepted(String name, String value, boolean replace) {
    if (replaced) {
      return false;
    }
    if (name == null) {
      return true;
    }
    if (name.equalsIgnoreCase("Content-Length")) {
      if (value == null) {
        expectedLength = -1;
        return true;
      }
      try {
        setContentLengthLong(Long.parseLong(value.strip()));
        return false;
      } catch (NumberFormatException e) {
        drop();
        return true;
      }
    }
    if (name.equalsIgnoreCase(CacheHeaders.CACHE_STATUS)) {
      // An upstream cache's status goes before ours (RFC 9211: nearest the origin first).
      if (replace) {
        originCacheStatus.clear();
      }
      if (value != null) {
        originCacheStatus.add(value);
      }
      return false;
    }
    return !CacheHeaders.isOwn(name);
  }

  @Override
  public void flushBuffer() throws IOException {
    commitHeaders();
    super.flushBuffer();
  }

  @Override
  public void reset() {
    if (replaced) {
      return;
    }
    super.reset();
    status = SC_OK;
    expectedLength = -1;
    headersWritten = false;
    originCacheStatus.clear();
    if (copy != null) {
      copy.clear();
    }
  }

  @Override
  public void resetBuffer() {
    if (replaced) {
      return;
    }
    super.resetBuffer();
    if (copy != null) {
      copy.clear();
    }
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (stream == null) {
      stream = new TeeStream(super.getOutputStream());
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    // Images are never written as characters; keep it simple and don't capture.
    drop();
    commitHeaders();
    return replaced
        ? new PrintWriter(java.io.OutputStream.nullOutputStream())
        : super.getWriter();
  }

  /**
   * An error after the answer started cannot replace it: the client's body is cut (a proxy does
   * this when the origin breaks off mid-body, and Jetty then aborts the connection).
   */
  /**
   * An error status replaces an answer whose headers were decided but not sent (a proxy that got
   * 200 headers, then lost the body while it was still buffered): Deja's headers are decided again
   * for the error, so a 502 never goes out saying {@code stored}.
   */
  private void errorBeforeCommit(int sc) {
    if (replaced) {
      return;
    }
    status = sc;
    if (headersWritten && !super.isCommitted()) {
      headersWritten = false;
      decidedAgain = true;
      drop(); // whatever was captured belongs to the answer that failed
    }
    commitHeaders();
  }

  /**
   * Whether Deja's headers are being decided a second time, for an error that replaced the answer
   * they were first decided for; per-answer metrics were counted the first time.
   */
  public boolean decidedAgain() {
    return decidedAgain;
  }

  private void failIfCommitted() {
    if (super.isCommitted()) {
      fail();
    }
  }

  // --- what the filter reads back ------------------------------------------------------------

  /** Runs {@code listener} on the first failure (on the thread that detects it). */
  public void onFailure(Runnable listener) {
    this.onFailure = listener;
  }

  /** Marks the exchange as broken (exception, async error): nothing of it is stored. */
  public void fail() {
    boolean first;
    synchronized (this) {
      first = !failed;
      failed = true;
      drop();
    }
    if (first) {
      onFailure.run();
    }
  }

  /** Stops keeping a copy (the answer may not be stored) and gives its bytes back. */
  public void dropCapture() {
    drop();
  }

  private void drop() {
    capturable = false;
    releaseCapture();
  }

  /** Gives the copy's bytes back to the budget, unless the body was handed off. Idempotent. */
  public void releaseCapture() {
    if (copy != null && !handedOff) {
      copy.abandon();
    }
  }

  /**
   * Takes ownership of the reservation that holds the captured body: the caller closes it once the
   * body has been stored or dropped. Call after {@link #capturedBody()} returned a body.
   */
  public ByteBudget.Reservation handOffCapture() {
    if (copy == null) {
      return budget.open(); // an empty body holds nothing
    }
    handedOff = true;
    return copy.reservation();
  }

  /**
   * The cache has written its own answer to the client (a stale entry standing in for a failed
   * origin, from {@code beforeCommit}): from now on the origin's status, headers and body are
   * discarded, and nothing of it is stored.
   */
  public void replaceByCache() {
    replaced = true;
    drop();
  }

  /** Whether {@link #replaceByCache()} was called. */
  public boolean replaced() {
    return replaced;
  }

  /** Cache-Status members set by the origin or an upstream cache, in order. */
  public List<String> originCacheStatus() {
    return originCacheStatus;
  }

  public boolean failed() {
    return failed;
  }

  /**
   * Whether a copy is being kept (not refused by size, budget, writer use or failure). With a
   * declared length the bytes are reserved now, before the first byte, so the answer is only
   * promised as {@code stored} while the budget actually holds room for it.
   */
  public boolean reserveCapture() {
    if (capturable && !failed && copy == null && expectedLength > 0 && capture().abandoned()) {
      drop();
    }
    return capturable && !failed;
  }

  /** The copy, opened on first use; a declared length is reserved and allocated at once. */
  private BodyCapture capture() {
    BodyCapture c = copy;
    if (c == null) {
      c = new BodyCapture(budget, limit, expectedLength);
      copy = c;
    }
    return c;
  }

  /** The body length the origin declared, or -1 when it did not. */
  public long expectedLength() {
    return expectedLength;
  }

  /** The complete body, or null when it was not captured or is incomplete. */
  public byte[] capturedBody() {
    if (!capturable || failed) {
      return null;
    }
    byte[] body = copy == null ? new byte[0] : copy.body();
    if (expectedLength >= 0 && body.length != expectedLength) {
      return null;
    }
    return body;
  }

  /** The response headers worth storing, as the client received them. */
  public Map<String, List<String>> storableHeaders() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    HttpServletResponse response = (HttpServletResponse) getResponse();
    Collection<String> names = response.getHeaderNames();
    for (String name : names) {
      if (CacheHeaders.isStored(name)) {
        headers.put(name, List.copyOf(response.getHeaders(name)));
      }
    }
    return headers;
  }

  /** Copies everything written to the client, up to the limit. */
  private final class TeeStream extends ServletOutputStream {
    private final ServletOutputStream out;

    TeeStream(ServletOutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      commitHeaders();
      if (replaced) {
        return;
      }
      try {
        out.write(b);
        keep(new byte[] {(byte) b}, 0, 1);
      } catch (Throwable e) {
        fail(); // half a write, from an I/O error or an Error, leaves a cut body
        throw e;
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      commitHeaders();
      if (replaced) {
        return;
      }
      try {
        out.write(b, off, len);
        keep(b, off, len);
      } catch (Throwable e) {
        fail(); // half a write, from an I/O error or an Error, leaves a cut body
        throw e;
      }
    }

    private void keep(byte[] b, int off, int len) {
      if (!capturable) {
        return;
      }
      // fail() may abandon the copy from another thread (an async error) meanwhile;
      // BodyCapture is synchronized, so that only makes this append a no-op.
      if (!capture().append(b, off, len)) {
        drop();
      }
    }

    @Override
    public void flush() throws IOException {
      commitHeaders();
      out.flush();
    }

    @Override
    public void close() throws IOException {
      commitHeaders();
      out.close();
    }

    @Override
    public boolean isReady() {
      return out.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      out.setWriteListener(listener);
    }
  }
}
