package dev.deja.bench.report;

/** The prose of the generated sections: setup and analysis that the numbers alone do not say. */
final class Notes {

  private Notes() {}

  static final String REPRODUCE = """
      **Reproduce** (from the repository root, as root for `db/local-pg.sh` and nginx; builds \
      offline with Maven, installs `nginx-light` with apt if missing):

      ```sh
      bench/scripts/run-benchmarks.sh quick     # HTTP exact/semantic/miss + scale 10k/100k: ~13 min
      bench/scripts/run-benchmarks.sh scale-1m  # scale at 1M + semantic hits over the 1M table: ~15 min
      bench/scripts/run-benchmarks.sh smoke     # every piece at tiny sizes, ~2 min, writes to a temp dir
      bench/scripts/run-benchmarks.sh report    # re-render this file from bench/results/*.json
      ```

      Each run writes `bench/results/<date>-<scenario>.json` and regenerates the `## HTTP` and \
      `## Scale` sections of this file and the plots in `bench/results/plots/`. The harness \
      itself is tested in CI at tiny sizes by `BenchmarkHarnessSmokeTest` (bench module; needs \
      the PostgreSQL of `db/local-pg.sh`, fails without it). `scale-1m` keeps its table (schema \
      `bench_http`), so query variants can be compared without another 6-minute load, e.g. the \
      `prepareThreshold=0` rows of the Scale section:

      ```sh
      java -cp bench/target/classes:<bench classpath> dev.deja.bench.scale.ScaleBenchmark \\
        --db-url 'jdbc:postgresql://127.0.0.1:55435/deja?prepareThreshold=0' --sizes 1000000 \\
        --queries 100 --keep-schema bench_http --reuse true --label -prepare0 \\
        --out bench/results --work bench/work
      ```
      """;

  static final String HTTP_SETUP = """
      Everything runs on this one machine over loopback (127.0.0.1), started by \
      `bench/scripts/run-benchmarks.sh`: PostgreSQL 15 + pgvector 0.8.0 (`db/local-pg.sh`, port \
      55435), the Deja server with its database schema `bench_http`, the bench origin (the demo \
      origin, `DemoOriginServlet`, answering a fixed 100 KB PNG per prompt after 1500 ms), nginx \
      1.22 `proxy_cache` in front of the same origin (config generated into a temp dir; cache key \
      `$request_uri`, `sendfile on`, `tcp_nopush off` because with it every keep-alive answer \
      stalled about 40 ms on loopback, 2 workers), and the **ceiling**: a bare Jetty 12 servlet \
      answering the same bytes from a map, with no cache logic. The load generator \
      (`dev.deja.bench.http.LoadGenerator`) is closed-loop: N keep-alive HTTP/1.1 connections, \
      each sending its next request when the previous answer is fully read; latencies in \
      HdrHistogram; warm-up discarded. It shares the 2 cores with the server under test (as do \
      PostgreSQL and, on this shared machine, other engineers' builds), so absolute numbers are \
      lower bounds; ratios come from the same run.
      """;

  static final String SEMANTIC_SETUP = """
      The cache is first filled with one COCO val2017 caption per image (through the server, \
      origin delay set to 0 for the fill). Then every request is a **first-time paraphrase** of \
      a cached caption (a photo-style prefix and/or suffix: "a photo of ...", "..., high \
      quality", 8 x 14 combinations, distinct after lowercasing and dropping punctuation), so \
      none can be an exact hit through an earlier alias; the answer's `X-Cache-Type` header \
      classifies it. Latency percentiles are over the semantic hits only; misses (paraphrases \
      the guard refused, answered by the 1500 ms origin) are counted in *answers*. \
      `Server-Timing` is Deja's own breakdown: *embed* (BGE-small int8), *search* \
      (`findNearest`), *lookup* (all of it: exact key lookup, embed, search, guard, fetch of the \
      matched image).""";

  static final String HTTP_ANALYSIS = """
      ### What the HTTP numbers say (analysis of the committed run)

      - **Exact hits.** At 64 connections Deja, nginx and the ceiling all end at the same \
      place (about 10k requests/s, p50 about 5 ms): the 2 cores, shared by server, load \
      generator and the machine's other work, are the limit, not the cache. At 16 connections \
      Deja reached about 0.7x of the ceiling and of nginx (target 0.8x ceiling: **missed by \
      about 0.1x**; 0.5x nginx: met). Its p99 at 16 connections is about 11 ms against 5 ms: \
      **missed**, but the bare ceiling servlet itself has a p99 of about 9 ms in the same run \
      (nginx about 8.5 ms), so the tail is the loaded 2-core machine (load average 7 to 9 \
      during the run from other engineers' builds) rather than Deja's path; to show Deja's \
      own tail, run the load generator on another machine or pin it to its own core \
      (`taskset`). What Deja adds per exact hit: key parsing and hashing, the hot-cache map, \
      about ten response headers, and the `Server-Timing`/metrics bookkeeping.
      - **Semantic hits.** One caller: p50 about 14 ms, of which embed about 5.6 ms, search \
      about 3.3 ms, and about 4 ms elsewhere in the lookup (the exact-key database probe \
      that runs first, the guard, and a second database read of the matched entry's 100 KB \
      image). At 16 connections the server is CPU-bound on the embedding model (about 80 \
      semantic hits/s on 2 cores; embed p50 rises to about 54 ms because requests queue for \
      the model), so p50/p99 at 16 connections are 89/291 ms against 5/15 ms: **missed by \
      18x / 19x**. This target cannot be met by any code change on 2 cores with a \
      closed-loop 16-connection load: by Little's law, p50 <= 5 ms at 16 in flight needs \
      >= 3,200 semantic hits/s, i.e. about 18 s of model CPU per second at 5.6 ms per \
      embedding. What closes it: more cores (the embedding scales with them), batching \
      concurrent embeddings into one ONNX call, and cutting the ~4 ms of non-model work \
      (see the recommendations in the report: serve the matched image from the hot cache, \
      overlap the exact probe with the embedding).
      - **Misses.** Deja adds about 16 ms to the origin's 1500 ms at p50 (TTFB and total \
      are the same: Deja streams the origin's answer). `Server-Timing` puts the lookup \
      before forwarding at about 14 ms p50 (embed about 7 ms, search about 3 ms): \
      **missed by about 10 ms** against the 4 ms target. The embedding alone is above the \
      budget on this CPU; closing it needs the lookup to stop blocking the forward for \
      unseeded requests that miss (start the origin request as soon as the exact probe \
      misses only when the semantic step cannot finish within a budget), or a faster \
      embedding (more cores, a smaller model).
      - **Semantic hits with 1M entries in the table: the semantic cache stops working.** The \
      paraphrases land in a 125k-row partition, so `findNearest` takes the HNSW path, and \
      through the repository that query takes about 0.5 s (see Scale: a generic plan of the \
      server-side prepared statement reads the whole partition). That is beyond the 50 ms \
      lookup timeout, so nearly every lookup fails and is answered as a miss; at 16 \
      connections the circuit breaker then opens and skips lookups altogether (lookup p50 \
      0.01 ms). Measured: 1 semantic hit out of 102 requests. **Missed entirely**; the fix is \
      in the db module (custom plans for the lookup queries, see Scale), after which the \
      search costs about 16 ms p50 on this loaded machine.
      - **Memory.** The server (`-Xmx512m`) stays around 430 to 500 MiB RSS with the int8 \
      model loaded, with 1,200 or 1M entries: met.
      """;

  static final String SCALE_SETUP = """
      `dev.deja.bench.scale.ScaleBenchmark` calls `CacheRepository.findNearest` (the production \
      query path, HNSW with iterative scan above %4$,d rows per partition, exact scan below) \
      on tables bulk-loaded with binary `COPY` into the db module's `cache_entry` (one shared \
      100 KB image blob). Vectors are real: %d COCO captions and PAWS sentences embedded once \
      with the bundled model (`%s`, cached in `bench/work/`), each row a text's vector plus \
      Gaussian noise (per-dimension sigma 0.25/sqrt(384), cosine to the text about 0.97), \
      renormalized. Partition skew: half the rows in 3 large unseeded partitions per model \
      (2 models; 50/30/20 %%), half in small seeded partitions of 1 to 20 rows (about 5 on \
      average: ~100k partitions at 1M). The HNSW index is dropped for the load and rebuilt with \
      the migration's definition (m = 16, ef_construction = 64, serial build as the migration \
      requires for pgvector 0.8.0, `maintenance_work_mem` 3 GB for the session), then `VACUUM \
      ANALYZE`. Queries (k = %d, single caller): *large, near* = a row's text vector with fresh \
      noise (a paraphrase of a cached prompt) in a large partition; *large, new* = a held-out \
      text not in the table; *small, near* = a paraphrase in a random small partition. Recall \
      is against an exact scan of the same partition (ties at the k-th similarity count as \
      found). Latency includes the partition-size probe (cached 30 s per partition).""";

  static final String SCALE_ANALYSIS = """
      ### What the scale numbers say (analysis of the committed runs)

      - **Partitions below 20,000 rows are scanned exactly, and that is slow from a few \
      thousand rows on.** At 100k entries the largest partitions hold 5,000 to 12,500 rows; \
      the exact scan costs tens of milliseconds at p50 and about 100 ms at p99 on this \
      machine, beyond the production lookup timeout (`DatabaseConfig.DEFAULT_LOOKUP_TIMEOUT`, \
      50 ms; this benchmark raises it to 10 s to measure the query). In production those \
      lookups time out and the request is answered as a miss. Recall there is 100 % by \
      construction. What closes it: lower `JdbcCacheRepository.HNSW_PARTITION_THRESHOLD` \
      from 20,000 to about 2,000 rows (where the exact scan is a few ms), after re-measuring \
      HNSW recall in 2k-20k partitions with the iterative scan.
      - **1M entries** (`run-benchmarks.sh scale-1m`, about 15 min on this machine: 52 s \
      `COPY`, 322 s serial HNSW build, 2.0 GB HNSW index for 1.6 GB of table): the large \
      partitions (50k to 125k rows per model) take the HNSW path, and through \
      `findNearest` it costs **about 0.5 s p50, 1 s p99, with 100 % recall**: the plan is \
      not HNSW at all. pgjdbc switches to a named server-side prepared statement after 5 \
      executions and PostgreSQL then uses a generic plan; estimated with the average \
      selectivity of `bucket = $2` (about 111k distinct partitions), the planner expects a \
      handful of rows, reads the partition through the btree index and sorts all 125k \
      vectors. The rerun of the same queries with `?prepareThreshold=0` on the JDBC URL \
      (custom plans: the `1,000,000 (reused table; db url ?prepareThreshold=0)` rows) uses \
      HNSW: p50 about 16 ms / p99 about 50 ms on this loaded machine, but recall drops to \
      **94 % (paraphrases) and 71 % (new prompts)** against 99.5 %: **missed**. The inner \
      query asks the iterative, relaxed-order scan for only k rows, so it returns the first \
      k rows that pass the partition filter, not the best k; with ef_search 100 and a \
      partition that is 12.5 % of the index, that is a few dozen candidates. What closes \
      it (in `db/`): custom plans for the lookup statements, a larger inner LIMIT (e.g. \
      ef_search) with the cut to k in the outer query, a higher `hnsw.ef_search`, or \
      partial HNSW indexes per large partition; each can be measured with \
      `ScaleBenchmark --reuse true` against the kept 1M table.
      - Small seeded partitions keep sub-millisecond p50 at every size; their p99 reaches \
      about 130 ms at 1M because each first query of a partition also counts its rows.
      - Small seeded partitions (1 to 20 rows) cost about one round trip set (sub-ms p50 on \
      an idle moment), independent of the table size.
      """;

  static String kind(String key) {
    return switch (key) {
      case "large-near" -> "large partition, paraphrase of a cached prompt";
      case "large-new" -> "large partition, new prompt";
      case "small-near" -> "small seeded partition, paraphrase";
      default -> key;
    };
  }
}
