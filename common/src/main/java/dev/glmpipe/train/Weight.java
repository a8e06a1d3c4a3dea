package dev.glmpipe.train;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A fitted weight with its slot name, in model units and in the input's own units;
 * {@code outcome} is the class for multinomial models (absent otherwise).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Weight(String feature, double value, double valueInputUnits, Integer outcome) {}
