package dev.deja.server.console;

/** What happened to a cacheable request, as the overview plots it. */
enum Outcome {
  EXACT("exact", "#2e7d32"),
  SEMANTIC("semantic", "#1565c0"),
  MISS("miss", "#ef6c00"),
  BYPASS("bypass", "#757575"),
  UNAVAILABLE("unavailable", "#c62828");

  final String label;
  final String colour;

  Outcome(String label, String colour) {
    this.label = label;
    this.colour = colour;
  }

  /**
   * The outcome of a {@code deja.requests} counter's tags: a semantic hit is semantic, any other
   * hit exact (as the daily counters count them), a miss because the store could not be asked is
   * unavailable.
   */
  static Outcome of(String status, String type) {
    return switch (status) {
      case "hit" -> "semantic".equals(type) ? SEMANTIC : EXACT;
      case "bypass" -> BYPASS;
      default -> "unavailable".equals(type) ? UNAVAILABLE : MISS;
    };
  }
}
