package dev.deja.bench.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** JSON result files ({@code bench/results/<date>-<scenario>.json}) and the machine they ran on. */
public final class Results {

  public static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Results() {}

  /** p50/p90/p99/p99.9/max/mean in milliseconds, and the count, of a microsecond histogram. */
  public static Map<String, Object> percentiles(Histogram h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", h.getTotalCount());
    m.put("p50_ms", ms(h.getValueAtPercentile(50)));
    m.put("p90_ms", ms(h.getValueAtPercentile(90)));
    m.put("p99_ms", ms(h.getValueAtPercentile(99)));
    m.put("p999_ms", ms(h.getValueAtPercentile(99.9)));
    m.put("max_ms", ms(h.getMaxValue()));
    m.put("mean_ms", Math.round(h.getMean()) / 1000.0);
    return m;
  }

  static double ms(long micros) {
    return Math.round(micros) / 1000.0;
  }

  /** nproc, CPU model, memory, load average: what every result file records about the machine. */
  public static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("nproc", Runtime.getRuntime().availableProcessors());
    m.put("cpu", cpuModel());
    m.put("mem_total_kb", procValue("/proc/meminfo", "MemTotal"));
    m.put("loadavg", read("/proc/loadavg").trim());
    m.put("java", System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    return m;
  }

  /** VmRSS of a process in MiB, or -1 when it cannot be read. */
  public static double rssMib(long pid) {
    long kb = procValue("/proc/" + pid + "/status", "VmRSS");
    return kb < 0 ? -1 : Math.round(kb / 102.4) / 10.0;
  }

  public static Path write(Path dir, String scenario, Map<String, Object> result)
      throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(LocalDate.now() + "-" + scenario + ".json");
    JSON.writeValue(file.toFile(), result);
    return file;
  }

  static String cpuModel() {
    for (String line : read("/proc/cpuinfo").split("\n")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "unknown";
  }

  private static long procValue(String file, String key) {
    for (String line : read(file).split("\n")) {
      if (line.startsWith(key + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      return "";
    }
  }

  static List<String> nonEmptyLines(Path file) throws IOException {
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
  }
}
