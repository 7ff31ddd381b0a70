package dev.deja.filter.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * An offline stand-in for an image-generation API: {@code GET /prompt/{prompt}?width&height&seed}
 * answers, after a delay like a real generator, a PNG that is a deterministic function of (prompt,
 * seed, width, height). Used by the standalone server's {@code --demo-origin}, the tests and the
 * benchmarks, so anyone can try Deja without network access or a GPU.
 */
public class DemoOriginServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final int MAX_SIDE = 2048;

  static {
    // ImageIO's disk cache registers a shutdown hook per write: rendering during shutdown would
    // fail with "Shutdown in progress", and memory is faster anyway.
    ImageIO.setUseCache(false);
  }

  private final transient AtomicLong calls = new AtomicLong();
  private volatile long delayMillis;

  /** @param delayMillis how long each image takes to "generate" */
  public DemoOriginServlet(long delayMillis) {
    this.delayMillis = delayMillis;
  }

  /** Requests answered so far. */
  public long calls() {
    return calls.get();
  }

  public void setDelayMillis(long delayMillis) {
    this.delayMillis = delayMillis;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    calls.incrementAndGet();
    String path = request.getPathInfo();
    String prompt = path == null || path.length() < 2 ? request.getParameter("prompt") : path;
    if (prompt == null || prompt.isBlank()) {
      response.sendError(400, "missing prompt");
      return;
    }
    int width;
    int height;
    try {
      width = side(request.getParameter("width"));
      height = side(request.getParameter("height"));
    } catch (NumberFormatException e) {
      response.sendError(400, "width and height must be integers in [1, " + MAX_SIDE + "]");
      return;
    }
    String seed = request.getParameter("seed");
    String model = request.getParameter("model");
    sleep(delayMillis);
    byte[] png = render(prompt + '\n' + model + '\n' + seed, width, height);
    respond(request, response, png);
  }

  /** Writes the image; tests override this to misbehave like real origins do. */
  protected void respond(HttpServletRequest request, HttpServletResponse response, byte[] png)
      throws IOException {
    response.setStatus(200);
    response.setContentType("image/png");
    response.setHeader("Cache-Control", "public, max-age=31536000, immutable");
    response.setContentLength(png.length);
    response.getOutputStream().write(png);
  }

  /**
   * Renders a PNG that depends only on its inputs: a background colour and a few blocks derived
   * from the SHA-256 of {@code identity}.
   */
  public static byte[] render(String identity, int width, int height) {
    byte[] h = sha256(identity);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(new Color(h[0] & 0xff, h[1] & 0xff, h[2] & 0xff));
      g.fillRect(0, 0, width, height);
      for (int i = 0; i < 4; i++) {
        int o = 3 + i * 7;
        g.setColor(new Color(h[o] & 0xff, h[o + 1] & 0xff, h[o + 2] & 0xff));
        int x = (h[o + 3] & 0xff) * width / 256;
        int y = (h[o + 4] & 0xff) * height / 256;
        g.fillRect(x, y, 1 + (h[o + 5] & 0xff) * width / 512, 1 + (h[o + 6] & 0xff) * height / 512);
      }
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static int side(String value) {
    if (value == null || value.isEmpty()) {
      return 1024;
    }
    int side = Integer.parseInt(value.strip());
    if (side < 1 || side > MAX_SIDE) {
      throw new NumberFormatException("out of range: " + side);
    }
    return side;
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
