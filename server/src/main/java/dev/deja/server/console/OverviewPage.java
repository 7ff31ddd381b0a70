package dev.deja.server.console;

import static dev.deja.server.console.Html.escape;

import dev.deja.db.CacheStats;
import dev.deja.filter.DejaCache;
import dev.deja.filter.embed.Embedder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Requests per minute by outcome, the semantic hit ratio, and the cache's state. */
final class OverviewPage {

  /** The day plot averages this many minutes per point. */
  static final int DAY_STEP = 10;

  private final Layout layout;
  private final DejaCache cache;
  private final OutcomeRing ring;
  private final Clock clock;

  OverviewPage(Layout layout, DejaCache cache, OutcomeRing ring, Clock clock) {
    this.layout = layout;
    this.cache = cache;
    this.ring = ring;
    this.clock = clock;
  }

  String render(Sessions.Session session) {
    StringBuilder body = new StringBuilder();
    Map<String, String> state = new LinkedHashMap<>();
    try {
      CacheStats s = cache.store().stats();
      state.put("Entries", Long.toString(s.entries()));
      state.put("Aliases (served semantic hits)", Long.toString(s.aliases()));
      state.put("Images", Long.toString(s.blobs()));
      state.put("Image bytes", Long.toString(s.blobBytes()));
    } catch (RuntimeException e) {
      state.put("Database", "unavailable: " + e.getMessage());
    }
    state.put("Store queue", Integer.toString(cache.storeQueueDepth()));
    state.put("Stores dropped", Long.toString(cache.storesDropped()));
    state.put("Breaker", cache.breakerState().name());
    state.put("Embedding model", cache.embedder().map(Embedder::modelId).orElse("none (exact only)"));
    state.put("Preset", cache.config().preset());
    state.put("Threshold", Layout.similarity(cache.matcher().threshold()));
    body.append("<section class=\"cards\">");
    for (Map.Entry<String, String> e : state.entrySet()) {
      body.append("<div class=\"card\"><span>").append(escape(e.getKey()))
          .append("</span><b>").append(escape(e.getValue())).append("</b></div>");
    }
    body.append("</section>");

    double[] totals = ring.totals();
    body.append("<h2>Requests since start</h2><table class=\"counts\"><tr>");
    for (Outcome o : Outcome.values()) {
      body.append("<th>").append(escape(o.label)).append("</th>");
    }
    body.append("</tr><tr>");
    for (Outcome o : Outcome.values()) {
      body.append("<td id=\"total-").append(o.label).append("\">")
          .append(Plots.number(totals[o.ordinal()])).append("</td>");
    }
    body.append("</tr></table><p class=\"note\">The same <code>deja_requests_total</code> counters"
        + " Prometheus scrapes, summed by outcome. The plots cover <b>this instance</b> since it"
        + " started, ").append(Layout.ago(ring.startedAt(), clock.instant()))
        .append("; for the fleet, ask Prometheus.</p>");

    long[][] hour = ring.lastMinutes(60);
    body.append(Plots.lines("Requests per minute, last hour", series(hour, 1), 0, "−60 min",
        "now"));
    body.append(Plots.lines("Semantic hit ratio, last hour", List.of(ratio(hour, 1)), 1,
        "−60 min", "now"));
    long[][] day = ring.lastMinutes(OutcomeRing.MINUTES);
    body.append(Plots.lines("Requests per minute, last day (" + DAY_STEP + "-minute averages)",
        series(day, DAY_STEP), 0, "−24 h", "now"));
    body.append(Plots.lines("Semantic hit ratio, last day", List.of(ratio(day, DAY_STEP)), 1,
        "−24 h", "now"));
    return layout.page("Overview", "", session, body.toString());
  }

  /** One series per outcome, each point the per-minute average over {@code step} minutes. */
  private static List<Plots.Series> series(long[][] minutes, int step) {
    List<Plots.Series> out = new ArrayList<>();
    for (Outcome o : Outcome.values()) {
      double[] v = new double[minutes.length / step];
      long total = 0;
      for (long[] minute : minutes) {
        total += minute[o.ordinal()];
      }
      for (int i = 0; i < v.length; i++) {
        for (int m = i * step; m < (i + 1) * step; m++) {
          v[i] += minutes[m][o.ordinal()];
        }
        v[i] /= step;
      }
      out.add(new Plots.Series(o.label + " (" + total + ")", o.colour, v));
    }
    return out;
  }

  /** Semantic hits over all requests per point; 0 where there were none. */
  private static Plots.Series ratio(long[][] minutes, int step) {
    double[] v = new double[minutes.length / step];
    for (int i = 0; i < v.length; i++) {
      long all = 0;
      long semantic = 0;
      for (int m = i * step; m < (i + 1) * step; m++) {
        for (long c : minutes[m]) {
          all += c;
        }
        semantic += minutes[m][Outcome.SEMANTIC.ordinal()];
      }
      v[i] = all == 0 ? 0 : (double) semantic / all;
    }
    return new Plots.Series("semantic / all requests", Outcome.SEMANTIC.colour, v);
  }
}
