package dev.deja.server;

/**
 * How large a request the gateway accepts and forwards, derived in this one place from the
 * longest prompt the cache keys, so a prompt the cache accepts is never refused on the way.
 *
 * <p>Without this, Jetty's 8 KiB defaults refused prompts far below {@code maxPromptChars}: about
 * 8,000 characters got 502 (the proxy's HTTP client could not write the request line, and the
 * origin, never called, was blamed) and longer ones 414 or 431 from the gateway itself.
 *
 * @param requestHeaderBytes the gateway's limit on the request line plus headers; beyond it the
 *     client gets 414 (URI too long) or 431 (headers too large), never a 502
 * @param proxyRequestHeaderBytes the proxy client's limit on the forwarded request line plus
 *     headers: whatever the gateway accepted, plus the headers the proxy adds
 */
record RequestLimits(int requestHeaderBytes, int proxyRequestHeaderBytes) {

  /**
   * Worst case of one prompt {@code char} in the path: a BMP character is 3 UTF-8 bytes, each
   * written {@code %XX} (a surrogate pair is 4 bytes for 2 chars, so 6 per char).
   */
  static final int ENCODED_BYTES_PER_PROMPT_CHAR = 9;

  /** Method, route, every parameter in the query, and the client's own headers. */
  static final int PARAMETERS_AND_HEADERS_BYTES = 16 * 1024;

  /** What the proxy adds: {@code Via}, {@code Forwarded}, {@code X-Forwarded-*}. */
  static final int PROXY_HEADERS_BYTES = 4 * 1024;

  /** The limits for prompts of up to {@code maxPromptChars} characters. */
  static RequestLimits forPrompts(int maxPromptChars) {
    int request =
        Math.addExact(
            Math.multiplyExact(maxPromptChars, ENCODED_BYTES_PER_PROMPT_CHAR),
            PARAMETERS_AND_HEADERS_BYTES);
    return new RequestLimits(request, Math.addExact(request, PROXY_HEADERS_BYTES));
  }
}
