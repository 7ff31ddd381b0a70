package dev.deja.filter.request;

import dev.deja.filter.text.Normalize;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the raw path and query of an HTTP request into an {@link ImageRequest}, its exact key and
 * its partition. Pure: no Servlet types, so it is trivially testable and reusable by
 * {@code explain}.
 */
public final class RequestParser {

  /** Parameters with a dedicated field in {@link ImageRequest}. */
  private static final String MODEL = "model";
  private static final String WIDTH = "width";
  private static final String HEIGHT = "height";
  private static final String SEED = "seed";
  private static final String IMAGE = "image";
  /** Generous upper bound on a side; larger values are certainly not a real request. */
  private static final int MAX_SIDE = 16_384;
  private final RequestRules rules;

  public RequestParser(RequestRules rules) {
    this.rules = rules;
  }

  /**
   * Parses one request.
   *
   * @param method HTTP method
   * @param pathInContext the request path below the context path, still percent-encoded
   * @param rawQuery the raw query string, or null
   * @param tenant the tenant key (from the configured header), or null
   */
  public ParsedRequest parse(String method, String pathInContext, String rawQuery, String tenant) {
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      return new ParsedRequest.NotCacheable();
    }
    String prefix = matchingPrefix(pathInContext);
    if (prefix == null) {
      return new ParsedRequest.NotCacheable();
    }
    try {
      return parseCacheable(prefix, pathInContext.substring(prefix.length()), rawQuery, tenant);
    } catch (InvalidRequestException e) {
      return new ParsedRequest.Invalid(e.getMessage());
    }
  }

  private ParsedRequest parseCacheable(
      String prefix, String rawPromptPath, String rawQuery, String tenant) {
    Map<String, List<String>> query = parseQuery(rawQuery);
    String prompt;
    ImageRequest.PromptLocation location;
    List<String> promptParam = query.remove(rules.promptParam());
    if (!rawPromptPath.isEmpty()) {
      if (promptParam != null) {
        throw new InvalidRequestException("prompt-twice");
      }
      prompt = pathPrompt(rawPromptPath);
      location = ImageRequest.PromptLocation.PATH;
    } else if (promptParam != null && promptParam.size() == 1) {
      prompt = promptParam.get(0);
      location = ImageRequest.PromptLocation.QUERY;
    } else {
      throw new InvalidRequestException("no-prompt");
    }
    // Keyed exactly as decoded: no Unicode normalization, no trimming (Normalize.forKey says why).
    prompt = Normalize.forKey(prompt);
    if (prompt.isBlank()) {
      throw new InvalidRequestException("no-prompt");
    }
    if (prompt.length() > rules.maxPromptChars()) {
      throw new InvalidRequestException("prompt-too-long");
    }
    if (tenant != null && tenant.isBlank()) {
      tenant = null;
    }
    if (rules.tenantHeader() != null && tenant == null) {
      // Tenancy on but no tenant: never share this image with anyone.
      throw new InvalidRequestException("no-tenant");
    }

    TreeMap<String, String> params = new TreeMap<>();
    List<String> images = new ArrayList<>();
    for (Map.Entry<String, List<String>> p : query.entrySet()) {
      String name = p.getKey();
      if (rules.ignoredParams().contains(name)) {
        continue;
      }
      if (!rules.knownParams().contains(name)) {
        throw new InvalidRequestException("unknown-param");
      }
      if (IMAGE.equals(name)) {
        // A list is comma-separated, or the parameter repeated; segments are kept exactly as
        // sent, so two lists that differ in any character never share a partition.
        for (String value : p.getValue()) {
          images.addAll(List.of(value.split(",", -1)));
        }
      } else if (p.getValue().size() > 1) {
        // The origin reads one of them (which one is its business): never guess.
        throw new InvalidRequestException("repeated-param");
      } else {
        params.put(name, p.getValue().get(0));
      }
    }
    rules.defaults().forEach(params::putIfAbsent);

    String model = params.remove(MODEL);
    if (model == null || model.isBlank()) {
      throw new InvalidRequestException("no-model");
    }
    int width = side(params.remove(WIDTH), WIDTH);
    int height = side(params.remove(HEIGHT), HEIGHT);
    Long seed = seed(params.remove(SEED));
    ImageRequest request =
        new ImageRequest(
            prefix, location, prompt, model, width, height, seed, params, images, tenant);
    return new ParsedRequest.Cacheable(request, CacheKey.of(request), Partition.of(request));
  }

  /**
   * The prompt of a path-style request, decoded once, or an invalid request when a server on the
   * way could read the path as another path than its literal text.
   *
   * <p>Deja keys the raw path it is given, but containers resolve {@code .} and {@code ..}
   * segments before routing ({@code /prompt/a%20red%20car/../x} reaches the origin as {@code
   * /prompt/x}) and servlet containers drop {@code ;parameters} from each segment: keyed as
   * written, the origin's picture of "x" would be filed under "a red car/../x" and served for "a
   * red car". Keying the normalized form instead would mean guessing how every server between
   * Deja and the image model normalizes ({@code %2e}, {@code %2F}, backslashes and {@code ;} are
   * all treated differently by different servers), so such requests are not keyed at all: they
   * are passed on uncached. Real prompts essentially never contain these shapes.
   */
  private static String pathPrompt(String rawPromptPath) {
    if (rawPromptPath.indexOf(';') >= 0) {
      throw new InvalidRequestException("path-parameter");
    }
    String prompt = decode(rawPromptPath);
    // Decoded, so %2e and %2F are caught too; '\\' counts as a separator because some servers
    // (Tomcat's allowBackslash, Windows hosts) treat it as one. A hand-written scan: every
    // request pays for it, and split() compiled its pattern each time.
    int start = 0;
    for (int i = 0; i <= prompt.length(); i++) {
      if (i == prompt.length() || prompt.charAt(i) == '/' || prompt.charAt(i) == '\\') {
        if (isDotSegment(prompt, start, i)) {
          throw new InvalidRequestException("dot-segment");
        }
        start = i + 1;
      }
    }
    return prompt;
  }

  private String matchingPrefix(String path) {
    for (String prefix : rules.pathPrefixes()) {
      if (path.startsWith(prefix)) {
        return prefix;
      }
    }
    return null;
  }

  private static int side(String value, String name) {
    if (value == null) {
      throw new InvalidRequestException("invalid-" + name);
    }
    try {
      int side = Integer.parseInt(value.strip());
      if (side <= 0 || side > MAX_SIDE) {
        throw new InvalidRequestException("invalid-" + name);
      }
      canonical(value, side, name);
      return side;
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("invalid-" + name);
    }
  }

  private static Long seed(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      long seed = Long.parseLong(value.strip());
      canonical(value, seed, "seed");
      return seed;
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("invalid-seed");
    }
  }

  /**
   * Only the plain decimal form of a number is keyed: "07", "+7", " 7" and "7" would share one key
   * while the origin receives four different strings (and may read them differently). The other
   * forms pass through uncached.
   */
  private static void canonical(String value, long parsed, String name) {
    if (!value.equals(Long.toString(parsed))) {
      throw new InvalidRequestException("non-canonical-" + name);
    }
  }

  /** Query parameters in order of appearance; names and values form-decoded once. */
  private static Map<String, List<String>> parseQuery(String rawQuery) {
    try {
      return QueryString.parse(rawQuery).decoded();
    } catch (QueryString.MalformedException e) {
      throw new InvalidRequestException("bad-encoding");
    }
  }

  /**
   * Percent-decodes a path exactly once as UTF-8 ('+' stays a plus sign, as the original system
   * did and as servlet containers decode paths). Broken escapes or invalid UTF-8 make the request
   * uncacheable rather than guessing.
   */
  private static String decode(String raw) {
    try {
      return QueryString.percentDecode(raw);
    } catch (QueryString.MalformedException e) {
      throw new InvalidRequestException("bad-encoding");
    }
  }

  /** Internal control flow for "pass this request through uncached". */
  private static final class InvalidRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidRequestException(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * Whether {@code s[from, to)} is a path segment some server may resolve: {@code .} or {@code
   * ..}, also still encoded after our one decoding ({@code %252e}), for an origin that decodes
   * twice; i.e. one or two units, each {@code .} or {@code %2e} in any case.
   */
  static boolean isDotSegment(String s, int from, int to) {
    int dots = 0;
    int i = from;
    while (i < to && dots < 3) {
      if (s.charAt(i) == '.') {
        i++;
      } else if (i + 3 <= to && s.regionMatches(true, i, "%2e", 0, 3)) {
        i += 3;
      } else {
        return false;
      }
      dots++;
    }
    return i == to && dots >= 1 && dots <= 2;
  }
}
