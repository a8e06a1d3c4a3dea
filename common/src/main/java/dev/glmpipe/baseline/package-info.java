/**
 * What a model version freezes at training time for monitoring to compare with: the input
 * profile ({@code profile.json}), the binned baseline ({@code baseline.json}) and the bin
 * counting that both training and monitoring use. It sits below {@code train} and the registry,
 * which write it; the {@code monitor} room above them reads it.
 */
package dev.glmpipe.baseline;
