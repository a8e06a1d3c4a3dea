package dev.glmpipe.jobs;

import java.io.PrintStream;

/** What a job needs from its surroundings: a way to open Spark, and where results go. */
record Launcher(SessionFactory sessions, PrintStream out, PrintStream err) {}
