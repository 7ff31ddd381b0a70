package dev.deja.server.console;

import static dev.deja.server.console.Html.escape;

import dev.deja.db.EntryDetail;
import dev.deja.db.EntrySearch;
import dev.deja.db.EntrySource;
import dev.deja.filter.DejaCache;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Browse and search entries; one entry with its image, its aliases and a delete button. */
final class EntriesPage {

  static final int PAGE_SIZE = 25;

  private final Layout layout;
  private final DejaCache cache;
  private final Clock clock;

  EntriesPage(Layout layout, DejaCache cache, Clock clock) {
    this.layout = layout;
    this.cache = cache;
    this.clock = clock;
  }

  String list(HttpServletRequest req, Sessions.Session session) {
    Params p = new Params(req);
    Duration age = p.duration("age");
    Instant now = clock.instant();
    EntrySearch search = new EntrySearch(null, p.text("q"), p.text("bucket"),
        createdAfter(now, age), p.whole("hits"), null);
    int page = p.page();
    StringBuilder body = new StringBuilder("<form method=\"get\" class=\"filters\" action=\"")
        .append(escape(layout.ui("entries"))).append("\">")
        .append(p.input("q", "Prompt contains")).append(p.input("bucket", "Partition"))
        .append(p.input("age", "Younger than (e.g. 2h, 7d)")).append(p.input("hits", "Hits ≥"))
        .append("<button>Search</button></form>").append(p.errors());
    List<EntryDetail> entries;
    try {
      entries = cache.store().audit().entries(search, PAGE_SIZE, page * PAGE_SIZE);
    } catch (RuntimeException e) {
      body.append("<p class=\"error\">Cannot list entries: ").append(escape(e.getMessage()))
          .append("</p>");
      return layout.page("Entries", "entries", session, body.toString());
    }
    body.append(table(entries, now));
    body.append(p.pager(layout.ui("entries"), page, entries.size() == PAGE_SIZE));
    return layout.page("Entries", "entries", session, body.toString());
  }

  /** The oldest creation time an age allows; none when the age reaches back past 1970. */
  private static Instant createdAfter(Instant now, Duration age) {
    return age == null || age.compareTo(Duration.between(Instant.EPOCH, now)) >= 0
        ? null
        : now.minus(age);
  }

  /** One entry, or {@code null} when there is none of that key. */
  String one(String key, Sessions.Session session) {
    List<EntryDetail> found = cache.store().audit().entries(EntrySearch.byKey(key), 1, 0);
    if (found.isEmpty()) {
      return null;
    }
    EntryDetail e = found.get(0);
    Instant now = clock.instant();
    StringBuilder body = new StringBuilder("<section class=\"entry\"><img class=\"full\" alt=\""
        + "cached image\" src=\"").append(escape(layout.image(e.cacheKey())))
        .append("\"><dl>");
    row(body, "Prompt", "<span class=\"prompt\">" + Html.text(e.prompt()) + "</span>");
    row(body, "Key", "<code>" + escape(e.cacheKey()) + "</code>");
    row(body, "Source", escape(e.source().sqlValue()));
    if (e.source() == EntrySource.ALIAS) {
      row(body, "Serves the image of", "<a href=\"" + escape(layout.ui("entry?"
          + Layout.query("key", e.aliasOf()))) + "\"><code>" + escape(e.aliasOf())
          + "</code></a> at similarity " + Layout.similarity(e.aliasSimilarity()));
    }
    row(body, "Partition", "<code>" + Html.text(e.bucket()) + "</code>");
    row(body, "Model", Html.text(e.model()));
    row(body, "Image", escape(e.contentType()) + ", " + e.sizeBytes() + " bytes");
    row(body, "Hits", e.exactHits() + " exact, " + e.semanticHits() + " semantic");
    row(body, "Created", Layout.ago(e.createdAt(), now));
    row(body, "Last hit", Layout.ago(e.lastHitAt(), now));
    row(body, "Expires", e.expiresAt() == null ? "never" : escape(e.expiresAt().toString()));
    body.append("</dl>")
        .append(layout.postButton(layout.ui("entries/delete"), session, layout.ui("entries"),
            e.source() == EntrySource.ALIAS ? "Delete this alias" : "Delete entry and aliases",
            "wrong", "key", e.cacheKey()))
        .append("</section>");
    if (e.source() == EntrySource.ORIGIN) {
      List<EntryDetail> aliases =
          cache.store().audit().entries(EntrySearch.aliasesOf(key), 100, 0);
      body.append("<h2>Aliases: prompts this image was served for</h2>");
      body.append(aliases.isEmpty() ? "<p class=\"empty\">None.</p>" : table(aliases, now));
    }
    return layout.page("Entry", "entries", session, body.toString());
  }

  private String table(List<EntryDetail> entries, Instant now) {
    if (entries.isEmpty()) {
      return "<p class=\"empty\">No entries match.</p>";
    }
    StringBuilder t = new StringBuilder("<table class=\"rows\"><tr><th>Image</th><th>Prompt</th>"
        + "<th>Source</th><th>Partition</th><th>Hits</th><th>Bytes</th><th>Created</th></tr>");
    for (EntryDetail e : entries) {
      String link = escape(layout.ui("entry?" + Layout.query("key", e.cacheKey())));
      t.append("<tr><td><a href=\"").append(link).append("\"><img class=\"thumb\" alt=\"\" src=\"")
          .append(escape(layout.image(e.cacheKey()))).append("\"></a></td><td><a href=\"")
          .append(link).append("\" class=\"prompt\">").append(Html.text(e.prompt()))
          .append("</a></td><td>").append(escape(e.source().sqlValue()))
          .append(e.aliasSimilarity() == null ? ""
              : " " + Layout.similarity(e.aliasSimilarity()))
          .append("</td><td><code>").append(Html.text(e.bucket())).append("</code></td><td>")
          .append(e.exactHits() + e.semanticHits()).append("</td><td>").append(e.sizeBytes())
          .append("</td><td>").append(Layout.ago(e.createdAt(), now)).append("</td></tr>");
    }
    return t.append("</table>").toString();
  }

  private static void row(StringBuilder body, String label, String html) {
    body.append("<dt>").append(escape(label)).append("</dt><dd>").append(html).append("</dd>");
  }
}
