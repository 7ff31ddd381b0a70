package dev.deja.filter.match;

import dev.deja.filter.match.PromptAnalysis.Binding;
import dev.deja.filter.match.PromptAnalysis.Kind;
import dev.deja.filter.match.PromptAnalysis.Script;
import dev.deja.filter.match.PromptAnalysis.Token;
import dev.deja.filter.match.PromptAnalysis.Triple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The text-only check run after the nearest-neighbour search: may the cached prompt's image stand
 * in for the requested prompt, although their embeddings are close?
 *
 * <p>Deterministic and explainable: the first failing check names itself in the verdict's reason.
 * Checks, in order:
 *
 * <ol>
 *   <li>{@value #SCRIPT_MISMATCH}: one prompt is Latin-script, the other CJK or another script;
 *   <li>{@value #NUMBER_MISMATCH}: counts (digits, number words, quantifiers) bound to the same
 *       nouns, "a"/"an" counting as one;
 *   <li>{@value #NEGATION_MISMATCH}: no/not/without/never... and what they negate;
 *   <li>{@value #RELATION_MISMATCH}: left/right/above/below/in front of/behind/next to... with the
 *       same two nouns on the same sides (inverse phrasings agree: "a left of b" = "b right of a");
 *   <li>{@value #ATTRIBUTE_MISMATCH}: colour, material, shape and size words bound to the same nouns;
 *   <li>{@value #OPPOSITE_MISMATCH}: one prompt says a word where the other says its opposite
 *       (man / woman, sunrise / sunset, eastern / western, into / out of, to / from a place);
 *   <li>{@value #SCENE_MISMATCH}: time of day, weather or season words differ ("a cabin in the
 *       snow" / "a cabin in the snow at night");
 *   <li>{@value #WORD_ORDER}: content words moved out of their phrase (a swap), where reordering
 *       whole coordinated phrases ("a cat and a dog" / "a dog and a cat") is fine, and so is one
 *       whole comma-separated clause moving as a block ("after sunset, a fox walks across the
 *       lake" / "a fox walks across the lake after sunset"); phrases that trade places take their
 *       years along; spelling variants one letter apart count as one word;
 *   <li>{@value #CONTENT_MISMATCH}: too few shared content words (after stop words, style
 *       boilerplate such as "highly detailed, 8k" and synonyms are folded away);
 *   <li>{@value #NUMBER_MISMATCH} again under STRICT: singular and plural of one noun after a
 *       determiner ("the dog" / "the dogs");
 *   <li>{@value #CONTENT_CHANGE} under STRICT: content words were added, dropped or replaced and
 *       the embeddings are less close than {@link GuardStrictness} asks for such a change.
 * </ol>
 *
 * <p>Prompts the English word lists cannot read (another Latin-script language, CJK, Cyrillic...)
 * get the language-independent checks only (digits, order, overlap of words or characters) with a
 * higher overlap bar, so they are neither all refused nor all accepted.
 */
public final class MatchGuard {

  public static final String OK = "ok";
  public static final String SCRIPT_MISMATCH = "script-mismatch";
  public static final String NUMBER_MISMATCH = "number-mismatch";
  public static final String NEGATION_MISMATCH = "negation-mismatch";
  public static final String RELATION_MISMATCH = "relation-mismatch";
  public static final String ATTRIBUTE_MISMATCH = "attribute-mismatch";
  public static final String OPPOSITE_MISMATCH = "opposite-mismatch";
  public static final String SCENE_MISMATCH = "scene-mismatch";
  public static final String WORD_ORDER = "word-order";
  public static final String CONTENT_MISMATCH = "content-mismatch";
  public static final String CONTENT_CHANGE = "content-change";

  private final GuardStrictness strictness;

  public MatchGuard(GuardStrictness strictness) {
    this.strictness = Objects.requireNonNull(strictness, "strictness");
  }

  public GuardStrictness strictness() {
    return strictness;
  }

  /**
   * Checks the pair as if their embeddings were identical, so the bar for changed content words
   * never applies; {@link MatchVerdict#accept()} or a refusal naming the first failed check.
   */
  public MatchVerdict check(String requestPrompt, String cachedPrompt) {
    return check(requestPrompt, cachedPrompt, 1.0);
  }

  /**
   * Checks the pair, given the cosine similarity of their embeddings: under STRICT, prompts whose
   * content words differ must be closer than the threshold asks ({@link GuardStrictness}).
   */
  public MatchVerdict check(String requestPrompt, String cachedPrompt, double similarity) {
    return forRequest(requestPrompt).check(cachedPrompt, similarity);
  }

  /** Checks of one request prompt against several cached prompts; see {@link Request}. */
  public Request forRequest(String requestPrompt) {
    return new Request(requestPrompt);
  }

  /**
   * One request prompt, analysed once (lazily, at the first check) and checked against any number
   * of cached prompts; each verdict is exactly what {@link MatchGuard#check(String, String,
   * double)} gives. Not thread-safe: one request, one thread.
   */
  public final class Request {
    private final String prompt;
    private PromptAnalysis analysis;

    private Request(String prompt) {
      this.prompt = prompt;
    }

    public MatchVerdict check(String cachedPrompt, double similarity) {
      if (strictness == GuardStrictness.OFF) {
        return MatchVerdict.accept();
      }
      if (analysis == null) {
        analysis = PromptAnalysis.of(prompt);
      }
      return MatchGuard.this.check(analysis, PromptAnalysis.of(cachedPrompt), similarity);
    }
  }

  MatchVerdict check(PromptAnalysis a, PromptAnalysis b, double similarity) {
    if (strictness == GuardStrictness.OFF || a.normalized.equals(b.normalized)) {
      return MatchVerdict.accept();
    }
    if (a.script != b.script && a.script != Script.NONE && b.script != Script.NONE) {
      return MatchVerdict.refuse(SCRIPT_MISMATCH);
    }
    if (!numbersAgree(a, b)) {
      return MatchVerdict.refuse(NUMBER_MISMATCH);
    }
    if (!sameBindings(a.negations, b.negations, false)) {
      return MatchVerdict.refuse(NEGATION_MISMATCH);
    }
    if (!sameRelations(a.relations, b.relations)) {
      return MatchVerdict.refuse(RELATION_MISMATCH);
    }
    if (!sameBindings(a.attributes, b.attributes, true)) {
      return MatchVerdict.refuse(ATTRIBUTE_MISMATCH);
    }
    if (oppositeSwapped(a, b)) {
      return MatchVerdict.refuse(OPPOSITE_MISMATCH);
    }
    if (!sceneWords(a).equals(sceneWords(b))) {
      return MatchVerdict.refuse(SCENE_MISMATCH);
    }
    // spelling variants are folded into the request's tokens for the rest of this check only:
    // the request's analysis is reused for the next candidate and must come back unchanged
    List<Folded> folded = foldSpellings(a.content, b.content);
    try {
      return checkOrderAndContent(a, b, similarity);
    } finally {
      for (int i = folded.size() - 1; i >= 0; i--) {
        folded.get(i).undo();
      }
    }
  }

  /** The checks from word order on, after spelling variants were folded. */
  private MatchVerdict checkOrderAndContent(PromptAnalysis a, PromptAnalysis b,
      double similarity) {
    boolean readable = a.englishLike && b.englishLike;
    int[] moves = moves(a.ordered, b.ordered);
    boolean blockMoved = moves[2] > 0;
    if (moves[0] > strictness.maxStrayMoves || moves[1] > strictness.maxLocalMoves) {
      if (!clauseMoved(a, b)) {
        return MatchVerdict.refuse(WORD_ORDER);
      }
      blockMoved = true;
    }
    // phrases that trade places take their years along ("retired in 1884 and died in 1885")
    if (blockMoved && !sameBindings(a.years, b.years, false)) {
      return MatchVerdict.refuse(WORD_ORDER);
    }
    // shared content words, as a multiset: for the overlap bar and to tell a change from a move
    int common = commonStems(a.content, b.content);
    int sizes = a.content.size() + b.content.size();
    double overlap = sizes == 0 ? 1.0 : 2.0 * common / sizes; // Dice
    double minOverlap = readable ? strictness.minContentOverlap : strictness.minUnreadableOverlap;
    if (overlap < minOverlap) {
      return MatchVerdict.refuse(CONTENT_MISMATCH);
    }
    if (strictness.pluralsMustAgree && !pluralsAgree(a, b)) {
      return MatchVerdict.refuse(NUMBER_MISMATCH);
    }
    boolean contentChanged = common < a.content.size() || common < b.content.size();
    if (contentChanged && similarity < changedContentBar(a, b)) {
      return MatchVerdict.refuse(CONTENT_CHANGE);
    }
    return MatchVerdict.accept();
  }

  /**
   * Counts must agree as values ("a"/"an", or the bare singular noun, satisfying a "one" on the
   * other side), and a count bound to a noun on both sides must bind to the same noun.
   */
  private static boolean numbersAgree(PromptAnalysis a, PromptAnalysis b) {
    if (a.numbers.isEmpty() && b.numbers.isEmpty()) {
      return true;
    }
    return sameBindings(withoutImplicitOnes(a.numbers, b), withoutImplicitOnes(b.numbers, a),
        false);
  }

  private static List<Binding> withoutImplicitOnes(List<Binding> numbers, PromptAnalysis other) {
    List<Binding> out = new ArrayList<>(numbers.size());
    for (Binding n : numbers) {
      if (n.modifier().equals("1") && !n.phrase().isEmpty() && !hasValue(other.numbers, "1")
          && impliesOne(other, n.phrase())) {
        continue;
      }
      out.add(n);
    }
    return out;
  }

  private static boolean hasValue(List<Binding> bindings, String value) {
    for (Binding b : bindings) {
      if (b.modifier().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean impliesOne(PromptAnalysis p, Set<String> phrase) {
    for (String w : phrase) {
      if (p.singularArticles.contains(w)) {
        return true;
      }
    }
    for (Binding n : p.numbers) {
      if (intersects(n.phrase(), phrase)) {
        return false;
      }
    }
    for (Token t : p.content) {
      if (phrase.contains(t.stem) && !t.plural) {
        return true;
      }
    }
    return false;
  }

  /**
   * Same modifiers (as a multiset), and each modifier bound to a phrase on both sides binds to
   * overlapping phrases: "a green bench and a blue bowl" binds green to {bench} on one side and to
   * {bowl} on the other. With {@code strictUnbound} (attributes), a modifier bound on one side
   * must be bound on the other; otherwise (counts, negations) "unbound" matches anything, because
   * "14 March" / "March 14" is the same date.
   */
  static boolean sameBindings(List<Binding> x, List<Binding> y, boolean strictUnbound) {
    if (x.size() != y.size()) {
      return false;
    }
    if (x.isEmpty()) {
      return true;
    }
    boolean[] used = new boolean[y.size()];
    // bound ones first, so that an unbound one cannot take a partner a bound one needs
    for (int pass = 0; pass < 2; pass++) {
      for (Binding b : x) {
        if (b.phrase().isEmpty() != (pass == 1)) {
          continue;
        }
        int found = -1;
        for (int j = 0; j < y.size() && found < 0; j++) {
          Binding c = y.get(j);
          boolean phrasesAgree = strictUnbound
              ? b.head().equals(c.head()) && nested(b.phrase(), c.phrase())
              : b.phrase().isEmpty() || c.phrase().isEmpty() || intersects(b.phrase(), c.phrase());
          if (!used[j] && c.modifier().equals(b.modifier()) && phrasesAgree) {
            found = j;
          }
        }
        if (found < 0) {
          return false;
        }
        used[found] = true;
      }
    }
    return true;
  }

  static boolean sameRelations(List<Triple> x, List<Triple> y) {
    if (x.size() != y.size()) {
      return false;
    }
    boolean[] used = new boolean[y.size()];
    for (Triple t : x) {
      int found = -1;
      for (int j = 0; j < y.size() && found < 0; j++) {
        Triple u = y.get(j);
        if (!used[j] && u.relation() == t.relation() && nested(t.subject(), u.subject())
            && nested(t.object(), u.object())) {
          found = j;
        }
      }
      if (found < 0) {
        return false;
      }
      used[found] = true;
    }
    return true;
  }

  /**
   * Both name no noun, or one names a part of the other ("blue cell phone" / "phone is blue").
   * For spatial relations too: their nouns are left out of the order check, so they must agree
   * here ("hidden by a Belgian family" is not "hidden by a Jewish family").
   */
  private static boolean nested(Set<String> p, Set<String> q) {
    return p.isEmpty() ? q.isEmpty() : !q.isEmpty() && (p.containsAll(q) || q.containsAll(p));
  }

  private static boolean intersects(Set<String> p, Set<String> q) {
    for (String w : p) {
      if (q.contains(w)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Content words (and role-marking prepositions) that changed position relative to the others.
   * Both sides are reduced to their shared words and aligned by longest common subsequence. A run
   * of unaligned words is forgiven when it is a whole chunk (a coordinated or comma-separated
   * phrase moved as a unit) or at least {@code minSafeBlock} words long; a single word that moved
   * by one place ("stable financially" / "financially stable") is a local move; everything else
   * is a stray move.
   *
   * @return {stray moves, local moves, forgiven runs (whole phrases or long blocks)}
   */
  int[] moves(List<Token> a, List<Token> b) {
    List<Token> x = shared(a, b);
    List<Token> y = shared(b, a);
    if (x.isEmpty() || y.isEmpty()) {
      return new int[3];
    }
    int n = x.size();
    int m = y.size();
    int[][] lcs = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lcs[i][j] = x.get(i).key().equals(y.get(j).key())
            ? lcs[i + 1][j + 1] + 1
            : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    boolean[] alignedX = new boolean[n];
    boolean[] alignedY = new boolean[m];
    int i = 0;
    int j = 0;
    while (i < n && j < m) {
      if (x.get(i).key().equals(y.get(j).key())) {
        alignedX[i++] = true;
        alignedY[j++] = true;
      } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
        i++;
      } else {
        j++;
      }
    }
    int[] mx = stray(x, alignedX, y, alignedY);
    int[] my = stray(y, alignedY, x, alignedX);
    return new int[] {Math.max(mx[0], my[0]), Math.max(mx[1], my[1]), mx[2] + my[2]};
  }

  private int[] stray(List<Token> seq, boolean[] aligned, List<Token> other,
      boolean[] otherAligned) {
    // occurrences beyond the other side's count are extra words, not moved ones
    Map<String, Integer> excess = new HashMap<>();
    for (Token t : seq) {
      excess.merge(t.key(), 1, Integer::sum);
    }
    for (Token t : other) {
      excess.computeIfPresent(t.key(), (k, v) -> v - 1);
    }
    int stray = 0;
    int local = 0;
    int chunkMoves = 0;
    int k = 0;
    int n = seq.size();
    while (k < n) {
      if (aligned[k]) {
        k++;
        continue;
      }
      int start = k;
      while (k < n && !aligned[k]) {
        k++;
      }
      int len = k - start;
      if (len >= strictness.minSafeBlock || wholeChunks(seq, start, k)) {
        chunkMoves++;
        continue;
      }
      for (int q = start; q < k; q++) {
        Token t = seq.get(q);
        Integer extra = excess.get(t.key());
        if (extra != null && extra > 0) {
          excess.put(t.key(), extra - 1);
        } else if (len == 1 && movedByOne(seq, q, other, otherAligned)) {
          local++;
        } else {
          stray++;
        }
      }
    }
    return new int[] {stray, local, chunkMoves};
  }

  /** The unaligned word at {@code q} sits one place away in the other sequence. */
  private static boolean movedByOne(List<Token> seq, int q, List<Token> other,
      boolean[] otherAligned) {
    String stem = seq.get(q).key();
    for (int j = 0; j < other.size(); j++) {
      if (!otherAligned[j] && other.get(j).key().equals(stem)) {
        // same neighbour on the left or right after moving past exactly one word
        boolean leftSwap = q > 0 && j + 1 < other.size()
            && seq.get(q - 1).key().equals(other.get(j + 1).key());
        boolean rightSwap = q + 1 < seq.size() && j > 0
            && seq.get(q + 1).key().equals(other.get(j - 1).key());
        return leftSwap || rightSwap;
      }
    }
    return false;
  }

  /**
   * True when the run [start, end) holds every shared word of the coordinated phrases it touches,
   * inside one comma-separated part: "a cat and a dog" / "a dog and a cat". Whole comma-separated
   * parts trading places are not forgiven: on PAWS that is how entities swap roles.
   */
  private static boolean wholeChunks(List<Token> seq, int start, int end) {
    int first = seq.get(start).chunk;
    int last = seq.get(end - 1).chunk;
    boolean beforeInChunk = start > 0 && seq.get(start - 1).chunk == first;
    boolean afterInChunk = end < seq.size() && seq.get(end).chunk == last;
    boolean clauseBefore = start > 0 && seq.get(start - 1).clause == seq.get(start).clause;
    boolean clauseAfter = end < seq.size() && seq.get(end).clause == seq.get(end - 1).clause;
    if (!clauseBefore && !clauseAfter) {
      return false;
    }
    return !beforeInChunk && !afterInChunk;
  }

  /**
   * Spelling variants: a content word of one side without partner on the other, one inserted
   * letter away from exactly one such word of the other side, the shorter at least
   * {@value #MIN_VARIANT_LENGTH} letters long, takes that word's stem ("travelled" / "traveled",
   * "jewellery" / "jewelery", "Mohammed" / "Mohamed", "colour" / "color" is in the synonym list).
   * Order and overlap then treat the two as one word. A replaced letter is not a variant: "horse"
   * / "house", "beach" / "bench" are different things. Mutates the tokens of {@code a}; returns
   * what it changed, so that the caller can undo it when the check ends.
   */
  private static List<Folded> foldSpellings(List<Token> a, List<Token> b) {
    List<Folded> folded = new ArrayList<>();
    Set<String> stemsA = new java.util.HashSet<>();
    Set<String> stemsB = new java.util.HashSet<>();
    for (Token t : a) {
      stemsA.add(t.stem);
    }
    for (Token u : b) {
      stemsB.add(u.stem);
    }
    for (Token t : a) {
      if (stemsB.contains(t.stem) || t.stem.length() < MIN_VARIANT_LENGTH) {
        continue;
      }
      String match = null;
      int found = 0;
      for (Token u : b) {
        if (!stemsA.contains(u.stem) && u.stem.length() >= MIN_VARIANT_LENGTH
            && !u.stem.equals(match) && oneLetterInserted(t.stem, u.stem)) {
          match = u.stem;
          found++;
        }
      }
      if (found == 1) {
        String from = t.stem;
        for (Token v : a) {
          if (v.stem.equals(from)) {
            folded.add(new Folded(v, v.stem, v.orderKey));
            v.stem = match;
            if (v.orderKey != null) {
              v.orderKey = match + v.orderKey.substring(from.length());
            }
          }
        }
        stemsA.add(match);
      }
    }
    return folded;
  }

  /** A token's stem and order key before {@link #foldSpellings} changed them. */
  private record Folded(Token token, String stem, String orderKey) {
    void undo() {
      token.stem = stem;
      token.orderKey = orderKey;
    }
  }

  /** Shortest word length for a spelling variant. */
  private static final int MIN_VARIANT_LENGTH = 6;

  /** One of the two is the other with exactly one letter inserted. */
  static boolean oneLetterInserted(String x, String y) {
    if (Math.abs(x.length() - y.length()) != 1) {
      return false;
    }
    int i = 0;
    while (i < x.length() && i < y.length() && x.charAt(i) == y.charAt(i)) {
      i++;
    }
    int ex = x.length();
    int ey = y.length();
    while (ex > i && ey > i && x.charAt(ex - 1) == y.charAt(ey - 1)) {
      ex--;
      ey--;
    }
    return ex - i <= 1 && ey - i <= 1;
  }

  /** Fewest compared words on each side of a forgiven clause move. */
  private static final int MIN_MOVED_BLOCK = 2;
  /** Fewest compared words in the larger of the two blocks of a forgiven clause move. */
  private static final int MIN_CLAUSE = 4;

  /**
   * The two orders differ by one whole clause moving as a block, everything else in place:
   * "Immediately after reading the script , Mehra agreed to act" / "Mehra agreed to act
   * immediately after reading the script". After the common prefix and suffix, what remains must
   * be U V on one side and V U on the other, U or V must be a complete comma-separated part on
   * one side that opens like an adverbial (a preposition or subordinator from the lexicon, or an
   * -ly adverb), both must hold at least {@value #MIN_MOVED_BLOCK} compared words and one at
   * least {@value #MIN_CLAUSE}. Two words or names trading places ("a X b Y" / "a Y b X", "Bulgaria ,
   * Sozopol" / "Sozopol , in Bulgaria") is a swap, not a clause move; a prompt without commas
   * never qualifies.
   */
  static boolean clauseMoved(PromptAnalysis a, PromptAnalysis b) {
    List<Token> x = shared(a.ordered, b.ordered);
    List<Token> y = shared(b.ordered, a.ordered);
    int n = x.size();
    if (n != y.size() || n < 2) {
      return false;
    }
    int p = 0;
    while (p < n && x.get(p).key().equals(y.get(p).key())) {
      p++;
    }
    int e = n;
    while (e > p && x.get(e - 1).key().equals(y.get(e - 1).key())) {
      e--;
    }
    if (e - p < 2) {
      return false;
    }
    // x[p, e) = U V and y[p, e) = V U with U = x[p, p + u)
    for (int u = 1; u < e - p; u++) {
      int v = e - p - u;
      boolean rotation = true;
      for (int k = 0; k < v && rotation; k++) {
        rotation = x.get(p + u + k).key().equals(y.get(p + k).key());
      }
      for (int k = 0; k < u && rotation; k++) {
        rotation = x.get(p + k).key().equals(y.get(p + v + k).key());
      }
      boolean blocks = Math.min(u, v) >= MIN_MOVED_BLOCK && Math.max(u, v) >= MIN_CLAUSE;
      if (rotation && blocks && (movable(a, x, p, p + u) || movable(a, x, p + u, e)
          || movable(b, y, p, p + v) || movable(b, y, p + v, e))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The run [start, end) is a whole comma-separated part that opens like an adverbial ("after
   * ...", "with the support of ...", "immediately after ..."): such parts move freely in English,
   * a noun phrase or a clause with its own subject does not.
   */
  private static boolean movable(PromptAnalysis p, List<Token> seq, int start, int end) {
    if (!wholeClause(seq, start, end)) {
      return false;
    }
    int clause = seq.get(start).clause;
    for (Token t : p.tokens) {
      if (t.clause == clause && t.kind != Kind.BREAK) {
        return Lexicon.ADVERBIAL_OPENERS.contains(t.text)
            || (t.text.length() > 4 && t.text.endsWith("ly"));
      }
    }
    return false;
  }

  /** The run [start, end) is every word of the comma-separated parts it spans. */
  private static boolean wholeClause(List<Token> seq, int start, int end) {
    boolean openBefore = start > 0 && seq.get(start - 1).clause == seq.get(start).clause;
    boolean openAfter = end < seq.size() && seq.get(end).clause == seq.get(end - 1).clause;
    return !openBefore && !openAfter;
  }

  /** Tokens of {@code a} whose stem also occurs in {@code b}. */
  private static List<Token> shared(List<Token> a, List<Token> b) {
    List<Token> out = new ArrayList<>(a.size());
    for (Token t : a) {
      for (Token u : b) {
        if (t.key().equals(u.key())) {
          out.add(t);
          break;
        }
      }
    }
    return out;
  }

  /**
   * One side says a word where the other says its opposite: more of {@code x} on one side, more of
   * an opposite of {@code x} on the other.
   */
  private static boolean oppositeSwapped(PromptAnalysis a, PromptAnalysis b) {
    Map<String, Integer> ca = wordCounts(a);
    Map<String, Integer> cb = wordCounts(b);
    for (Map.Entry<String, Integer> e : ca.entrySet()) {
      Set<String> opposites = Lexicon.OPPOSITES.get(e.getKey());
      if (opposites == null || e.getValue() <= cb.getOrDefault(e.getKey(), 0)) {
        continue;
      }
      for (String o : opposites) {
        if (cb.getOrDefault(o, 0) > ca.getOrDefault(o, 0)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Set<String> sceneWords(PromptAnalysis p) {
    Set<String> scene = new java.util.HashSet<>();
    for (Token t : p.content) {
      if (Lexicon.SCENE.containsKey(t.stem)) {
        scene.add(t.stem); // already folded to its meaning by the stemmer
      }
    }
    return scene;
  }

  private static Map<String, Integer> wordCounts(PromptAnalysis p) {
    Map<String, Integer> counts = new HashMap<>();
    List<Token> tokens = p.tokens;
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.kind == Kind.BREAK || t.kind == Kind.STYLE) {
        continue; // "high quality" is boilerplate, not a height
      }
      if (Lexicon.DIRECTIONS.contains(t.text)) {
        // a direction only before what it leads to: "to the house", "out of a cage", not the
        // infinitive in "to get a drink"
        String next = i + 1 < tokens.size() ? tokens.get(i + 1).text : "";
        boolean direction = t.text.equals("out") ? next.equals("of")
            : Lexicon.DETERMINERS.contains(next);
        if (!direction) {
          continue;
        }
      }
      counts.merge(t.text, 1, Integer::sum);
      if (t.stem != null && !t.stem.equals(t.text)) {
        counts.merge(t.stem, 1, Integer::sum);
      }
    }
    return counts;
  }

  /**
   * The similarity a pair with changed content words must reach: higher for short prompts, where
   * one added word is a large part of the picture yet moves the embedding little ("a samurai in a
   * bamboo forest" / "... holding a sword": 0.949).
   */
  private double changedContentBar(PromptAnalysis a, PromptAnalysis b) {
    return Math.max(a.content.size(), b.content.size()) <= GuardStrictness.SHORT_PROMPT_WORDS
        ? strictness.shortChangedContentSimilarity : strictness.changedContentSimilarity;
  }

  /** Size of the multiset intersection of the two sides' stems. */
  private static int commonStems(List<Token> a, List<Token> b) {
    Map<String, Integer> counts = new HashMap<>();
    for (Token t : a) {
      counts.merge(t.stem, 1, Integer::sum);
    }
    int common = 0;
    for (Token t : b) {
      Integer c = counts.get(t.stem);
      if (c != null && c > 0) {
        common++;
        counts.put(t.stem, c - 1);
      }
    }
    return common;
  }

  private static boolean pluralsAgree(PromptAnalysis pa, PromptAnalysis pb) {
    List<Token> a = pa.content;
    List<Token> b = pb.content;
    for (Token t : a) {
      if (t.kind != Kind.CONTENT) {
        continue;
      }
      boolean sameStem = false;
      boolean samePlural = false;
      for (Token u : b) {
        if (t.stem.equals(u.stem)) {
          sameStem = true;
          if (t.plural == u.plural) {
            samePlural = true;
            break;
          }
        }
      }
      if (sameStem && !samePlural
          && (pa.numberMarked.contains(t.stem) || pb.numberMarked.contains(t.stem))) {
        return false;
      }
    }
    return true;
  }
}
