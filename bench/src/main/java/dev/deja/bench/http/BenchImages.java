package dev.deja.bench.http;

import dev.deja.filter.demo.DemoOriginServlet;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * The images every HTTP benchmark target serves: the demo origin's deterministic PNG for the
 * request, padded to a fixed size with a private ancillary chunk so that a "typical" generated
 * image (about 100 KB) goes over the wire. The origin, nginx (through the origin) and the
 * in-memory ceiling therefore serve byte-identical bodies.
 */
public final class BenchImages {

  /** Size of every benchmark image: about what a compressed 1024x1024 generation weighs. */
  public static final int DEFAULT_IMAGE_BYTES = 100 * 1024;
  /** Side of the rendered picture before padding: small, so rendering costs no CPU to speak of. */
  static final int RENDER_SIDE = 128;
  /** Ancillary (lowercase 1st), private (lowercase 2nd), safe-to-copy (lowercase 4th). */
  private static final byte[] PAD_CHUNK = "deJa".getBytes(StandardCharsets.US_ASCII);
  private static final int IEND_CHUNK_BYTES = 12;
  private static final int CHUNK_OVERHEAD = 12;

  private BenchImages() {}

  /** The identity the demo origin derives its picture from (path prompt, model, seed). */
  public static String identity(HttpServletRequest request) {
    String path = request.getPathInfo();
    String prompt = path == null || path.length() < 2 ? request.getParameter("prompt") : path;
    return prompt + '\n' + request.getParameter("model") + '\n' + request.getParameter("seed");
  }

  /** The padded PNG for this request. */
  public static byte[] image(HttpServletRequest request, int targetBytes) {
    return pad(DemoOriginServlet.render(identity(request), RENDER_SIDE, RENDER_SIDE), targetBytes);
  }

  /**
   * Inserts one private ancillary chunk before {@code IEND} so the PNG is exactly {@code
   * targetBytes} long (or unchanged when it is already that large). Decoders skip the chunk; its
   * content is pseudo-random (seeded by the picture), so nothing on the way can compress it.
   */
  public static byte[] pad(byte[] png, int targetBytes) {
    int padData = targetBytes - png.length - CHUNK_OVERHEAD;
    if (padData < 0) {
      return png;
    }
    byte[] data = new byte[padData];
    new SplittableRandom(java.util.Arrays.hashCode(png)).nextBytes(data);
    ByteBuffer out = ByteBuffer.allocate(targetBytes);
    out.put(png, 0, png.length - IEND_CHUNK_BYTES);
    out.putInt(padData);
    out.put(PAD_CHUNK);
    out.put(data);
    CRC32 crc = new CRC32();
    crc.update(PAD_CHUNK);
    crc.update(data);
    out.putInt((int) crc.getValue());
    out.put(png, png.length - IEND_CHUNK_BYTES, IEND_CHUNK_BYTES);
    return out.array();
  }
}
