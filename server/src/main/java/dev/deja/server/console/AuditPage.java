package dev.deja.server.console;

import static dev.deja.server.console.Html.escape;

import dev.deja.db.MatchFilter;
import dev.deja.db.ServedMatch;
import dev.deja.filter.DejaCache;
import dev.deja.filter.match.MatchVerdict;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.List;

/**
 * The served semantic hits to audit, newest first or a random sample: the requested prompt next
 * to the one whose image answered it, differences marked, with the image and the verdict buttons.
 */
final class AuditPage {

  static final int PAGE_SIZE = 20;

  private final Layout layout;
  private final DejaCache cache;
  private final Clock clock;

  AuditPage(Layout layout, DejaCache cache, Clock clock) {
    this.layout = layout;
    this.cache = cache;
    this.clock = clock;
  }

  String render(HttpServletRequest req, Sessions.Session session) {
    Params p = new Params(req);
    MatchFilter filter = new MatchFilter(p.text("bucket"), p.text("model"),
        p.number("min"), p.number("max"));
    boolean sample = p.text("sample") != null;
    int page = p.page();
    StringBuilder body = new StringBuilder();
    body.append("<form method=\"get\" class=\"filters\" action=\"")
        .append(escape(layout.ui("audit"))).append("\">")
        .append(p.input("bucket", "Partition")).append(p.input("model", "Model"))
        .append(p.input("min", "Similarity ≥")).append(p.input("max", "Similarity ≤"))
        .append("<button>Filter</button> <button name=\"sample\" value=\"1\">Random sample</button>")
        .append("</form>").append(p.errors());
    List<ServedMatch> matches;
    try {
      matches = sample
          ? cache.store().audit().sampleServedMatches(filter, PAGE_SIZE)
          : cache.store().audit().servedMatches(filter, PAGE_SIZE, page * PAGE_SIZE);
    } catch (RuntimeException e) {
      body.append("<p class=\"error\">Cannot list semantic hits: ")
          .append(escape(e.getMessage())).append("</p>");
      return layout.page("Semantic hits", "audit", session, body.toString());
    }
    body.append("<p class=\"note\">").append(sample
        ? "A uniform random sample of the served semantic hits matching the filter: review these"
            + " for an unbiased error rate."
        : "Every served semantic hit is remembered as an alias under the requesting prompt's key"
            + " (its <code>X-Cache-Key</code>). <b>Wrong match</b> deletes the alias, so that"
            + " prompt goes to the origin next time, and records a labelled pair.")
        .append("</p>");
    if (matches.isEmpty()) {
      body.append("<p class=\"empty\">No semantic hits match.</p>");
    }
    double threshold = cache.matcher().threshold();
    String back = layout.ui("audit") + (req.getQueryString() == null ? ""
        : "?" + req.getQueryString());
    for (ServedMatch m : matches) {
      WordDiff.Marked diff = WordDiff.of(m.requestedPrompt(), m.matchedPrompt());
      String guard = m.matchedPrompt() == null ? "matched entry gone"
          : verdict(cache.matcher().decide(m.requestedPrompt(), m.matchedPrompt(),
              m.similarity(), threshold));
      body.append("<article class=\"match\" data-key=\"").append(escape(m.aliasKey())).append("\">")
          .append("<a href=\"").append(escape(layout.ui("entry?" + Layout.query("key",
              m.targetKey())))).append("\"><img class=\"thumb\" alt=\"image served\" src=\"")
          .append(escape(layout.image(m.aliasKey()))).append("\"></a><div>")
          .append("<p class=\"prompt requested\"><span>requested</span> ")
          .append(diff.requested()).append("</p>")
          .append("<p class=\"prompt matched\"><span>served image of</span> ")
          .append(diff.matched()).append("</p><p class=\"facts\">similarity <b>")
          .append(Layout.similarity(m.similarity())).append("</b> · threshold ")
          .append(Layout.similarity(threshold)).append(" · guard now: ").append(escape(guard))
          .append(" · partition <code>").append(Html.text(m.bucket())).append("</code> · model ")
          .append(Html.text(m.model())).append(" · embedder ").append(escape(m.embeddingModelId()))
          .append(" · served ").append(Layout.ago(m.servedAt(), clock.instant()))
          .append(" · repeated ").append(m.repeats()).append("×</p><p class=\"key\">key <code>")
          .append(escape(m.aliasKey())).append("</code></p>")
          .append(layout.postButton(layout.admin("feedback"), session, back, "Right match",
              "right", "key", m.aliasKey(), "verdict", "right"))
          .append(layout.postButton(layout.admin("feedback"), session, back, "Wrong match",
              "wrong", "key", m.aliasKey(), "verdict", "wrong"))
          .append("</div></article>");
    }
    if (!sample) {
      body.append(p.pager(layout.ui("audit"), page, matches.size() == PAGE_SIZE));
    }
    body.append("<p><a href=\"").append(escape(layout.admin("feedback.tsv")))
        .append("\">Download the verdicts (feedback.tsv)</a> for the precision harness.</p>");
    return layout.page("Semantic hits", "audit", session, body.toString());
  }

  private static String verdict(MatchVerdict v) {
    return v.accepted() ? "accepts (" + v.reason() + ")" : "refuses (" + v.reason() + ")";
  }
}
