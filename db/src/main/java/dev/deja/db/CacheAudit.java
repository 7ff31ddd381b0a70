package dev.deja.db;

import java.util.List;
import java.util.Optional;

/**
 * What an operator reads and judges in the console: the semantic hits the cache served (each an
 * alias row, named by the served request's {@code X-Cache-Key}), the entries with their hit
 * counts, and the verdicts given on served matches. Every method may throw {@link
 * CacheUnavailableException}.
 */
public interface CacheAudit {

  /**
   * The latest served semantic hits matching {@code filter}, newest first (ties by key).
   *
   * @param limit at most this many, at least 1
   * @param offset how many matching hits to skip, at least 0
   */
  List<ServedMatch> servedMatches(MatchFilter filter, int limit, int offset);

  /** Up to {@code count} served semantic hits matching {@code filter}, drawn uniformly at random. */
  List<ServedMatch> sampleServedMatches(MatchFilter filter, int count);

  /** The served semantic hit whose alias key is {@code aliasKey}. */
  Optional<ServedMatch> servedMatch(String aliasKey);

  /**
   * Records an operator's verdict on a served semantic hit, in one transaction: the labelled pair
   * goes to {@code match_feedback}, and a wrong match's alias is deleted, so the next identical
   * request goes to the origin. The caller clears the alias from any in-memory tier.
   *
   * @param aliasKey the {@code X-Cache-Key} of the served request
   * @param correct whether serving the matched image was right
   * @param decidedBy who gave the verdict, for the record
   * @return the recorded verdict, or empty when no such alias exists (any more)
   */
  Optional<MatchFeedback> judge(String aliasKey, boolean correct, String decidedBy);

  /**
   * The latest verdict on each prompt pair, oldest first: a double click or a second opinion on the
   * same pair replaces the earlier verdict, so the labelled pairs never repeat or contradict each
   * other (every verdict stays in {@code match_feedback} for the record).
   */
  List<MatchFeedback> feedback();

  /**
   * A page of entries and aliases matching {@code search}, newest first (ties by key), with their
   * hit counts and image sizes.
   */
  List<EntryDetail> entries(EntrySearch search, int limit, int offset);
}
