package dev.glmpipe;

/** The glmpipe build that is running, from the jar manifest ("dev" when run from classes). */
public final class CodeVersion {
  private CodeVersion() {}

  public static String get() {
    String v = CodeVersion.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
