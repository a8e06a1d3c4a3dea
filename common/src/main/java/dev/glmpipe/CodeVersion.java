package dev.glmpipe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The glmpipe build that is running: the Maven version from the jar manifest ("dev" when run
 * from classes) and the git commit it was built from, which is what tells two builds of one
 * version apart ("unknown" when built outside git; "-dirty" when built with local changes).
 */
public final class CodeVersion {
  private static final String COMMIT = readCommit();

  private CodeVersion() {}

  public static String get() {
    String v = CodeVersion.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  public static String commit() {
    return COMMIT;
  }

  /** {@code git.properties}, written into the build by the git-commit-id Maven plugin. */
  private static String readCommit() {
    try (InputStream in = CodeVersion.class.getResourceAsStream("git.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String id = p.getProperty("git.commit.id.full", "");
      if (id.isEmpty()) {
        return "unknown";
      }
      return "true".equals(p.getProperty("git.dirty")) ? id + "-dirty" : id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the build's git.properties", e);
    }
  }
}
