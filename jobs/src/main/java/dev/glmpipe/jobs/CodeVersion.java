package dev.glmpipe.jobs;

/** The glmpipe build that is running, from the jar manifest ("dev" when run from classes). */
final class CodeVersion {
  private CodeVersion() {}

  static String get() {
    String v = CodeVersion.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
