package dev.glmpipe;

/**
 * A result that, once printed, still ends its run with a non-zero exit code: the run did its
 * work and wrote it, but what it found must stop the flow (monitoring's alerts with
 * {@code monitor.on_alert: fail}).
 */
public interface ExitStatus {
  /** 0 when the run succeeded. */
  int exitCode();

  /** The one line printed on stderr when {@link #exitCode} is not 0. */
  String failure();
}
