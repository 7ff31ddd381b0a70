package dev.deja.server.console;

import static dev.deja.server.console.Html.escape;

import dev.deja.filter.lookup.Explanation;
import jakarta.servlet.http.HttpServletRequest;

/** Type a prompt and parameters; see the decision the cache would take and the nearest images. */
final class ExplainPage {

  private final Layout layout;
  private final Explainer explainer;
  private final String tenantHeader;

  ExplainPage(Layout layout, Explainer explainer, String tenantHeader) {
    this.layout = layout;
    this.explainer = explainer;
    this.tenantHeader = tenantHeader;
  }

  String render(HttpServletRequest req, Sessions.Session session) {
    Params p = new Params(req);
    String prompt = p.text("prompt");
    String query = p.text("params");
    StringBuilder body = new StringBuilder("<form method=\"get\" class=\"filters\" action=\"")
        .append(escape(layout.ui("explain"))).append("\">")
        .append("<label class=\"wide\">Prompt <input name=\"prompt\" value=\"")
        .append(escape(prompt)).append("\"></label>")
        .append(p.input("params", "Parameters (query string)"))
        .append("<button>Explain</button></form><p class=\"note\">Parameters as the image API"
            + " takes them, e.g. <code>width=576&amp;height=1024&amp;seed=7&amp;model=flux</code>."
            + " Nothing is sent to the origin.</p>");
    if (prompt != null) {
      Explainer.Result r = explainer.explain(prompt, query == null ? "" : query,
          tenantHeader == null ? null : req.getHeader(tenantHeader));
      body.append("<section class=\"decision ").append(escape(r.verdict())).append("\"><p>")
          .append("<b id=\"verdict\">").append(escape(r.verdict())).append("</b> — ")
          .append(escape(r.reason())).append("</p>");
      if (r.cacheable()) {
        body.append("<p class=\"facts\">key <code>").append(escape(r.key()))
            .append("</code> · partition <code>").append(Html.text(r.bucket()))
            .append("</code> · model ").append(Html.text(r.model())).append(" · threshold ")
            .append(Layout.similarity(r.threshold())).append("</p>");
      }
      body.append("</section>");
      if (!r.neighbours().isEmpty()) {
        body.append("<h2>Nearest entries in the partition</h2><table class=\"rows\"><tr>"
            + "<th>Image</th><th>Prompt (differences marked)</th><th>Similarity</th>"
            + "<th>Matcher</th></tr>");
        for (Explanation.Neighbour n : r.neighbours()) {
          WordDiff.Marked diff = WordDiff.of(prompt, n.prompt());
          body.append("<tr class=\"").append(n.accepted() ? "accepted" : "refused")
              .append("\"><td><a href=\"")
              .append(escape(layout.ui("entry?" + Layout.query("key", n.key()))))
              .append("\"><img class=\"thumb\" alt=\"candidate image\" src=\"")
              .append(escape(layout.image(n.key()))).append("\"></a></td><td>")
              .append(diff.matched()).append("</td><td>")
              .append(Layout.similarity(n.similarity())).append("</td><td>")
              .append(n.accepted() ? "accepts" : "refuses").append(" (")
              .append(escape(n.reason())).append(")</td></tr>");
        }
        body.append("</table>");
      } else if (r.cacheable()) {
        body.append("<p class=\"empty\">No semantic candidates in this partition.</p>");
      }
    }
    return layout.page("Explain", "explain", session, body.toString());
  }
}
