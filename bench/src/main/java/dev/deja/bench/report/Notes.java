package dev.deja.bench.report;

/** The prose of the generated sections: setup and analysis that the numbers alone do not say. */
final class Notes {

  private Notes() {}

  static final String HTTP_SETUP = """
      Everything runs on this one machine over loopback (127.0.0.1), started by \
      `bench/scripts/run-benchmarks.sh`: PostgreSQL 15 + pgvector 0.8.0 (`db/local-pg.sh`, port \
      55435), the Deja server with its database schema `bench_http`, the bench origin (the demo \
      origin, `DemoOriginServlet`, answering a fixed 100 KB PNG per prompt after 1500 ms), nginx \
      1.22 `proxy_cache` in front of the same origin (config generated into a temp dir; cache key \
      `$request_uri`, `sendfile on`, 2 workers), and the **ceiling**: a bare Jetty 12 servlet \
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
      ### What the HTTP numbers say

      See the final section of this file's HTTP part for targets; the analysis is filled in \
      from the measured run.
      """;

  static final String SCALE_SETUP = """
      `dev.deja.bench.scale.ScaleBenchmark` calls `CacheRepository.findNearest` (the production \
      query path, HNSW with iterative scan above 20,000 rows per partition, exact scan below) \
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
