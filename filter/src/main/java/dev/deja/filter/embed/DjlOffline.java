package dev.deja.filter.embed;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps DJL from reaching for the network.
 *
 * <p>The tokenizer's native library ships inside the {@code ai.djl.huggingface:tokenizers} jar and
 * is extracted to {@code ~/.djl.ai/tokenizers} (or {@code $DJL_CACHE_DIR}). Outside offline mode
 * DJL may instead download a CUDA build when it detects a GPU; in offline mode it always uses the
 * bundled CPU build. So, unless the application decided otherwise through {@code DJL_OFFLINE} or
 * {@code -Dai.djl.offline}, this sets {@code ai.djl.offline=true} before the tokenizer loads.
 */
final class DjlOffline {

  static final String PROPERTY = "ai.djl.offline";
  static final String ENV = "DJL_OFFLINE";

  private static final Logger log = LoggerFactory.getLogger(DjlOffline.class);

  private DjlOffline() {}

  static synchronized void ensure() {
    String env = System.getenv(ENV);
    String property = System.getProperty(PROPERTY);
    if (env == null && property == null) {
      System.setProperty(PROPERTY, "true");
      return;
    }
    String effective = env != null ? env : property;
    if (!Boolean.parseBoolean(effective)) {
      log.warn("DJL offline mode is disabled ({}={}); DJL may try to download native libraries",
          env != null ? ENV : PROPERTY, effective);
    }
  }
}
