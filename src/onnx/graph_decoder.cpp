// GraphProto, NodeProto and AttributeProto. Graphs nest through attributes (If, Loop, Scan);
// PathScope bounds that recursion.
#include "onnx/decoders.h"

namespace infera::onnx {

namespace {

ValueInfo decode_value_info_entry(DecodeContext& ctx, wire::WireReader& r) {
  return decode_value_info(ctx, r);
}

Initializer decode_initializer(DecodeContext& ctx, wire::WireReader& r) {
  NamedTensor t = decode_tensor(ctx, r);
  if (t.name.empty()) ctx.fail("initializer has no name");
  return Initializer{std::move(t.name), std::move(t.tensor)};
}

}  // namespace

std::shared_ptr<Graph> decode_graph(DecodeContext& ctx, wire::WireReader& r) {
  auto graph = std::make_shared<Graph>();
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    switch (tag.number) {
      case 1: decode_into(ctx, r, tag, "node", graph->nodes, decode_node); break;
      case 2: graph->name = r.read_string(tag); break;
      case 5:
        decode_into(ctx, r, tag, "initializer", graph->initializers, decode_initializer);
        break;
      case 11: decode_into(ctx, r, tag, "input", graph->inputs, decode_value_info_entry); break;
      case 12: decode_into(ctx, r, tag, "output", graph->outputs, decode_value_info_entry); break;
      case 13:
        decode_into(ctx, r, tag, "value_info", graph->value_info, decode_value_info_entry);
        break;
      case 15: ctx.fail(ErrorKind::kUnsupported, "sparse_initializer is not supported");
      default: r.skip(tag);  // doc_string, quantization_annotation
    }
  }
  return graph;
}

Node decode_node(DecodeContext& ctx, wire::WireReader& r) {
  Node node;
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    switch (tag.number) {
      case 1: node.inputs.push_back(r.read_string(tag)); break;
      case 2: node.outputs.push_back(r.read_string(tag)); break;
      case 3: node.name = r.read_string(tag); break;
      case 4: node.op_type = r.read_string(tag); break;
      case 5: decode_into(ctx, r, tag, "attribute", node.attributes, decode_attribute); break;
      case 7: node.domain = r.read_string(tag); break;
      default: r.skip(tag);  // doc_string
    }
  }
  if (node.op_type.empty()) ctx.fail("node has no op_type");
  return node;
}

}  // namespace infera::onnx
