package dev.glmpipe.export;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;

/**
 * ONNX operators the export needs beyond Tribuo's {@code ONNXOperators}, declared the same way
 * (name, arity, attributes, domain) so Tribuo's graph builder checks and emits them.
 */
enum OnnxOps implements ONNXOperator {
  IS_NAN("IsNaN", 1),
  FLOOR("Floor", 1),
  LOG("Log", 1),
  EQUAL("Equal", 2),
  MATMUL("MatMul", 2),
  RESHAPE("Reshape", 2),
  LABEL_ENCODER("LabelEncoder", 1, "ai.onnx.ml", 2,
      attr("keys_strings", AttributeType.STRINGS), attr("values_int64s", AttributeType.INTS),
      attr("default_int64", AttributeType.INT));

  static final String ML = "ai.onnx.ml";
  /** The default-domain opset the graph is written for (every operator used exists in it). */
  static final int OPSET = 13;
  static final int ML_OPSET = 2;

  private final String opName;
  private final int inputs;
  private final String domain;
  private final int version;
  private final Map<String, ONNXAttribute> attributes;

  OnnxOps(String opName, int inputs) {
    this(opName, inputs, "", OPSET);
  }

  OnnxOps(String opName, int inputs, String domain, int version, ONNXAttribute... attributes) {
    this.opName = opName;
    this.inputs = inputs;
    this.domain = domain;
    this.version = version;
    Map<String, ONNXAttribute> map = new LinkedHashMap<>();
    for (ONNXAttribute a : attributes) {
      map.put(a.getName(), a);
    }
    this.attributes = map;
  }

  private static ONNXAttribute attr(String name, AttributeType type) {
    return new ONNXAttribute(name, type, true);
  }

  @Override
  public String getOpName() {
    return opName;
  }

  @Override
  public int getNumInputs() {
    return inputs;
  }

  @Override
  public int getNumOptionalInputs() {
    return 0;
  }

  @Override
  public int getNumOutputs() {
    return 1;
  }

  @Override
  public Map<String, ONNXAttribute> getAttributes() {
    return attributes;
  }

  @Override
  public Set<String> getMandatoryAttributeNames() {
    return attributes.values().stream().filter(ONNXAttribute::isMandatory).map(ONNXAttribute::getName).collect(Collectors.toSet());
  }

  @Override
  public int getOpVersion() {
    return version;
  }

  @Override
  public String getOpDomain() {
    return domain;
  }
}
