/**
 * Prompt text normalization, in one place: {@link dev.deja.filter.text.Normalize} has a named
 * function for each use (the cache key, the embedding, the match guard). No other class may
 * normalize prompt text on its own.
 */
package dev.deja.filter.text;
