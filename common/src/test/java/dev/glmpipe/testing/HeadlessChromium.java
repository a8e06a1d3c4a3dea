package dev.glmpipe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Renders an HTML page in headless Chromium (Debian package {@code chromium}) from disk and
 * returns the screenshot, to check a self-contained report shows something (not a blank page).
 * A machine without Chromium fails the calling test with the command that installs it: never a
 * skip.
 */
public final class HeadlessChromium {
  private HeadlessChromium() {}

  /** A screenshot of a page, with the page and the picture on disk. */
  public record Screenshot(Path page, Path png, BufferedImage image) {
    /** Pixels that are not (nearly) white. */
    public long nonWhite() {
      return count(false);
    }

    /** Pixels with a clear hue (chart lines, badges), not just black or grey text. */
    public long colored() {
      return count(true);
    }

    public long pixels() {
      return (long) image.getWidth() * image.getHeight();
    }

    /**
     * Fails unless more than 1/50 of the pixels are not white and more than {@code minColored}
     * have a colour.
     */
    public Screenshot assertNotBlank(long minColored) {
      assertThat(nonWhite()).as("non-white pixels of " + png.getFileName()).isGreaterThan(pixels() / 50);
      assertThat(colored()).as("colored pixels of " + png.getFileName()).isGreaterThan(minColored);
      return this;
    }

    /** Copies the page and the screenshot to {@code target/<dir>} for a person to look at (and for CI artifacts). */
    public Screenshot keep(String dir) throws IOException {
      Path keep = Path.of("target", dir);
      Files.createDirectories(keep);
      Files.copy(page, keep.resolve(page.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(png, keep.resolve(png.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      return this;
    }

    private long count(boolean colour) {
      long n = 0;
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          int rgb = image.getRGB(x, y);
          int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
          boolean hit = colour ? Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60 : r < 245 || g < 245 || b < 245;
          if (hit) {
            n++;
          }
        }
      }
      return n;
    }
  }

  /**
   * Writes {@code html} to {@code dir/<name>.html}, opens it in headless Chromium in a window of
   * {@code width} × {@code height} and returns the screenshot ({@code dir/<name>.png}).
   */
  public static Screenshot render(String html, Path dir, String name, int width, int height) throws IOException, InterruptedException {
    Path page = dir.resolve(name + ".html");
    Files.writeString(page, html);
    Path shot = dir.resolve(name + ".png");
    Path log = dir.resolve(name + ".chromium.log");
    Process p = new ProcessBuilder(binary(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--window-size=" + width + "," + height, "--screenshot=" + shot, page.toUri().toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 120 s; log:\n" + Files.readString(log));
    }
    assertThat(shot).as("screenshot; chromium log:\n" + Files.readString(log)).exists();
    BufferedImage image = ImageIO.read(shot.toFile());
    assertThat(image.getWidth()).as("screenshot width").isEqualTo(width);
    return new Screenshot(page, shot, image);
  }

  /** Chromium's binary, or a failure that says how to install it. */
  public static String binary() throws IOException, InterruptedException {
    for (String name : List.of("chromium", "chromium-browser")) {
      Process which = new ProcessBuilder("sh", "-c", "command -v " + name).start();
      String path = new String(which.getInputStream().readAllBytes()).trim();
      if (which.waitFor() == 0 && !path.isEmpty()) {
        return path;
      }
    }
    throw new AssertionError("headless Chromium is needed to check the HTML reports render: "
        + "apt-get update && apt-get install -y chromium");
  }
}
