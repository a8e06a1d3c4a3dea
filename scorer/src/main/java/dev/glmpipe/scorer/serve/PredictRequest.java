package dev.glmpipe.scorer.serve;

import dev.glmpipe.scorer.ExportedModel;
import dev.glmpipe.scorer.InvalidInputException;
import dev.glmpipe.scorer.Prediction;
import dev.glmpipe.scorer.json.Json;
import dev.glmpipe.scorer.json.JsonException;
import java.util.List;
import java.util.Map;

/**
 * A predict request in TensorFlow Serving's row format, {@code {"instances": [{...}, ...]}},
 * checked and scored: each instance an object of input columns (see {@code InputType} for the
 * values each column type takes). Anything else is a {@link BadRequest} naming the field, e.g.
 * {@code 'instances[2].tenure_months': expected an integer (int), got the string "x"}.
 */
final class PredictRequest {
  private PredictRequest() {}

  /** A response body and how many instances it scored. */
  record Answer(String body, int instances) {}

  /** The response for {@code body}, scored with {@code model}. */
  static Answer answer(String body, ExportedModel model, int maxInstances) {
    Object doc;
    try {
      doc = Json.parse(body);
    } catch (JsonException e) {
      throw BadRequest.of("the request body is not valid JSON: " + e.getMessage());
    }
    if (!(doc instanceof Map<?, ?> top)) {
      throw BadRequest.of("the request body must be a JSON object like {\"instances\": [{...}]}");
    }
    if (!top.containsKey("instances")) {
      throw BadRequest.of("'instances' is missing: the body must be {\"instances\": [{...}, ...]}"
          + (top.containsKey("inputs") ? " (the columnar \"inputs\" format is not supported)" : ""));
    }
    if (!(top.get("instances") instanceof List<?> instances)) {
      throw BadRequest.of("'instances' must be an array of objects");
    }
    if (instances.isEmpty()) {
      throw BadRequest.of("'instances' is empty");
    }
    if (instances.size() > maxInstances) {
      throw BadRequest.of("'instances' has " + instances.size() + " elements, more than the " + maxInstances + " allowed");
    }
    StringBuilder out = new StringBuilder(64 + 48 * instances.size());
    out.append("{\"model_version\":");
    Json.string(out, model.version());
    out.append(",\"predictions\":[");
    for (int i = 0; i < instances.size(); i++) {
      if (!(instances.get(i) instanceof Map<?, ?> instance)) {
        throw BadRequest.of("'instances[" + i + "]' must be an object of input columns");
      }
      @SuppressWarnings("unchecked")
      Map<String, ?> record = (Map<String, ?>) instance;
      Prediction p;
      try {
        p = model.score(record);
      } catch (InvalidInputException e) {
        throw BadRequest.of("'instances[" + i + "]." + e.field() + "': " + e.problem());
      }
      if (i > 0) {
        out.append(',');
      }
      write(out, p);
    }
    return new Answer(out.append("]}").toString(), instances.size());
  }

  /** {@code {"score": s, "prediction": p}} (and {@code "probabilities"} for a multinomial model); non-finite numbers as null. */
  static void write(StringBuilder out, Prediction p) {
    out.append("{\"score\":");
    Json.number(out, p.score());
    out.append(",\"prediction\":");
    if (p.prediction() instanceof Integer k) {
      out.append(k.intValue());
    } else {
      Json.number(out, p.prediction().doubleValue());
    }
    if (p.probabilities() != null) {
      out.append(",\"probabilities\":");
      Json.write(out, p.probabilities());
    }
    out.append('}');
  }
}
