package dev.deja.server.console;

import static dev.deja.server.console.Html.escape;

import dev.deja.filter.settings.InvalidSettingException;
import dev.deja.filter.settings.SettingTypes;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A console page's query parameters: read leniently (a bad value is reported on the page and
 * ignored, never a stack trace), and written back into the filter form and the pager links.
 */
final class Params {

  private final HttpServletRequest req;
  private final List<String> errors = new ArrayList<>();

  Params(HttpServletRequest req) {
    this.req = req;
  }

  /**
   * The stripped value, or {@code null} when absent or blank. A NUL is reported and the value
   * ignored: PostgreSQL text cannot hold one, so nothing matches it, and the query would fail as
   * if the database were down.
   */
  String text(String name) {
    String v = req.getParameter(name);
    if (v != null && v.indexOf('\0') >= 0) {
      errors.add(name + " must not contain a NUL character");
      return null;
    }
    return v == null || v.isBlank() ? null : v.strip();
  }

  Double number(String name) {
    String v = text(name);
    if (v == null) {
      return null;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      errors.add(name + " must be a number, was '" + v + "'");
      return null;
    }
  }

  Long whole(String name) {
    Double d = number(name);
    return d == null ? null : (long) Math.floor(d);
  }

  /** A duration in the settings' grammar ({@code 30m}, {@code 2h}, {@code 7d}, {@code P7D}). */
  Duration duration(String name) {
    String v = text(name);
    if (v == null) {
      return null;
    }
    try {
      return SettingTypes.duration(name, v);
    } catch (InvalidSettingException e) {
      errors.add(e.getMessage());
      return null;
    }
  }

  /** The 0-based page number. */
  int page() {
    Long p = whole("page");
    return p == null || p < 0 ? 0 : (int) Math.min(p, 100_000);
  }

  String input(String name, String label) {
    return "<label>" + escape(label) + " <input name=\"" + escape(name) + "\" value=\""
        + escape(req.getParameter(name)) + "\"></label> ";
  }

  String errors() {
    StringBuilder out = new StringBuilder();
    for (String e : errors) {
      out.append("<p class=\"error\">").append(escape(e)).append("</p>");
    }
    return out.toString();
  }

  /** Previous / next links that keep every other parameter. */
  String pager(String base, int page, boolean more) {
    StringBuilder kept = new StringBuilder();
    for (var e : req.getParameterMap().entrySet()) {
      if (!e.getKey().equals("page")) {
        for (String v : e.getValue()) {
          kept.append(Layout.query(e.getKey(), v)).append('&');
        }
      }
    }
    StringBuilder out = new StringBuilder("<nav class=\"pager\">");
    if (page > 0) {
      out.append("<a href=\"").append(escape(base + "?" + kept + "page=" + (page - 1)))
          .append("\">← newer</a> ");
    }
    out.append("page ").append(page + 1);
    if (more) {
      out.append(" <a href=\"").append(escape(base + "?" + kept + "page=" + (page + 1)))
          .append("\">older →</a>");
    }
    return out.append("</nav>").toString();
  }
}
