package dev.glmpipe.scorer;

/**
 * One record's output, as the scores table holds it.
 *
 * @param score P(class 1) of a binomial (two-class) logistic model, the predicted class's
 *     probability of a multinomial one, the predicted value of a linear one
 * @param prediction the class index ({@link Integer}) of a logistic model, the predicted value
 *     ({@link Double}) of a linear one
 * @param probabilities every class's probability by class index (multinomial models of three or
 *     more classes only, else null)
 */
public record Prediction(double score, Number prediction, double[] probabilities) {}
