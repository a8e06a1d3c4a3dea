package dev.glmpipe.config;

/** The sample-data generator: rows per day, seed, and the share of deliberately broken rows. */
public record DatagenConfig(int rowsPerDay, long seed, double malformedFraction) {}
