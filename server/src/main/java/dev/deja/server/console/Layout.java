package dev.deja.server.console;

import static dev.deja.server.console.Html.escape;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** The console's page frame, links and the headers every console response carries. */
final class Layout {

  /** Nothing but the console's own files: no inline script, no framing, forms post home only. */
  static final String CSP = "default-src 'self'; img-src 'self'; style-src 'self';"
      + " script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self';"
      + " frame-ancestors 'none'";

  private static final String[][] NAV = {
    {"", "Overview"}, {"audit", "Semantic hits"}, {"explain", "Explain"}, {"entries", "Entries"}
  };

  private final String prefix;

  Layout(String adminPrefix) {
    this.prefix = adminPrefix;
  }

  /** The console's URL for {@code page} (relative to {@code ui/}), unescaped. */
  String ui(String page) {
    return prefix + "/ui/" + page;
  }

  /** The admin prefix's URL for {@code path} (e.g. {@code feedback}), unescaped. */
  String admin(String path) {
    return prefix + "/" + path;
  }

  String image(String key) {
    return ui("image/" + key);
  }

  /** {@code name=value}, both URL-encoded: a name may come from the request (the pager). */
  static String query(String name, String value) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
  }

  /** A whole page: navigation, {@code body} (already HTML), and the logout form. */
  String page(String title, String active, Sessions.Session session, String body) {
    StringBuilder nav = new StringBuilder();
    for (String[] item : NAV) {
      nav.append("<a href=\"").append(escape(ui(item[0]))).append('"')
          .append(item[0].equals(active) ? " aria-current=\"page\"" : "").append('>')
          .append(escape(item[1])).append("</a>");
    }
    String logout = session == null ? "" : "<form method=\"post\" action=\""
        + escape(ui("logout")) + "\" class=\"logout\">" + csrfField(session)
        + "<span>" + escape(session.who()) + "</span> <button>Log out</button></form>";
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>" + escape(title) + " · Deja</title>"
        + "<link rel=\"stylesheet\" href=\"" + escape(ui("static/console.css")) + "\"></head>"
        + "<body><header><strong>Deja</strong><nav>" + nav + "</nav>" + logout + "</header>"
        + "<main><h1>" + escape(title) + "</h1>" + body + "</main></body></html>";
  }

  /** The hidden synchronizer-token field every console form carries. */
  static String csrfField(Sessions.Session session) {
    return session == null ? "" : "<input type=\"hidden\" name=\"" + ConsoleAccess.CSRF_FIELD
        + "\" value=\"" + escape(session.csrf()) + "\">";
  }

  /** A form posting one verdict or deletion, returning to {@code back}. */
  String postButton(String action, Sessions.Session session, String back, String label,
      String cssClass, String... fields) {
    StringBuilder f = new StringBuilder("<form method=\"post\" action=\"")
        .append(escape(action)).append("\" class=\"inline\">").append(csrfField(session))
        .append("<input type=\"hidden\" name=\"back\" value=\"").append(escape(back)).append("\">");
    for (int i = 0; i + 1 < fields.length; i += 2) {
      f.append("<input type=\"hidden\" name=\"").append(escape(fields[i])).append("\" value=\"")
          .append(escape(fields[i + 1])).append("\">");
    }
    return f.append("<button class=\"").append(escape(cssClass)).append("\">")
        .append(escape(label)).append("</button></form>").toString();
  }

  static void send(HttpServletResponse resp, int status, String html) throws IOException {
    resp.setStatus(status);
    resp.setContentType("text/html;charset=utf-8");
    resp.setHeader("Cache-Control", "no-store");
    resp.getWriter().write(html);
  }

  /** The headers of every console answer, set before anything else is written. */
  static void secure(HttpServletResponse resp) {
    resp.setHeader("Content-Security-Policy", CSP);
    resp.setHeader("X-Content-Type-Options", "nosniff");
    resp.setHeader("Referrer-Policy", "same-origin");
    resp.setHeader("X-Frame-Options", "DENY");
  }

  static String similarity(double s) {
    return Double.isNaN(s) ? "" : String.format(Locale.ROOT, "%.3f", s);
  }

  /** "3 min ago", coarse: a reviewer needs the order of magnitude, the tooltip has the instant. */
  static String ago(Instant at, Instant now) {
    if (at == null) {
      return "never";
    }
    Duration d = Duration.between(at, now);
    String text;
    if (d.toSeconds() < 60) {
      text = Math.max(0, d.toSeconds()) + " s ago";
    } else if (d.toMinutes() < 60) {
      text = d.toMinutes() + " min ago";
    } else if (d.toHours() < 48) {
      text = d.toHours() + " h ago";
    } else {
      text = d.toDays() + " d ago";
    }
    return "<time datetime=\"" + escape(at.toString()) + "\" title=\"" + escape(at.toString())
        + "\">" + escape(text) + "</time>";
  }
}
