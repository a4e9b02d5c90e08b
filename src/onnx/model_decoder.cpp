// ModelProto and FunctionProto, and the public entry points that map a file and decode it.
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "onnx/decoders.h"
#include "onnx/mapped_file.h"
#include "onnx/onnx_reader.h"

namespace infera {

namespace onnx {
namespace {

OpsetImport decode_opset(DecodeContext& /*ctx*/, wire::WireReader& r) {
  OpsetImport opset;
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    switch (tag.number) {
      case 1: opset.domain = r.read_string(tag); break;
      case 2: opset.version = r.read_int64(tag); break;
      default: r.skip(tag);
    }
  }
  return opset;
}

Function decode_function(DecodeContext& ctx, wire::WireReader& r) {
  Function fn;
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    switch (tag.number) {
      case 1: fn.name = r.read_string(tag), ctx.name_current(fn.name); break;
      case 4: fn.inputs.push_back(r.read_string(tag)); break;
      case 5: fn.outputs.push_back(r.read_string(tag)); break;
      case 6: fn.attribute_names.push_back(r.read_string(tag)); break;
      case 7: decode_into(ctx, r, tag, "node", fn.nodes, decode_node); break;
      case 9: decode_into(ctx, r, tag, "opset_import", fn.opsets, decode_opset); break;
      case 10: fn.domain = r.read_string(tag); break;
      default: r.skip(tag);  // doc_string, attribute_proto defaults, value_info, overload
    }
  }
  return fn;
}

void read_model_field(DecodeContext& ctx, wire::WireReader& r, const wire::FieldTag& tag,
                      Model& model) {
  switch (tag.number) {
    case 1: model.ir_version = r.read_int64(tag); break;
    case 2: model.producer_name = r.read_string(tag); break;
    case 3: model.producer_version = r.read_string(tag); break;
    case 4: model.domain = r.read_string(tag); break;
    case 5: model.model_version = r.read_int64(tag); break;
    case 6: model.doc_string = r.read_string(tag); break;
    case 7: {
      PathScope scope(ctx, "graph");
      wire::WireReader body = r.read_message(tag);
      model.graph = decode_graph(ctx, body);
      break;
    }
    case 8: decode_into(ctx, r, tag, "opset_import", model.opsets, decode_opset); break;
    case 14: decode_into(ctx, r, tag, "metadata_props", model.metadata, decode_string_pair); break;
    case 25: decode_into(ctx, r, tag, "functions", model.functions, decode_function); break;
    default: r.skip(tag);  // training_info
  }
}

// The data of the main graph's initializers that no node reads but as a Conv's weights: the
// conv kernels pack those straight from the file, so they need no copy (core/deferred_bytes.h).
// Everything else is copied now, on all cores: shape inference, folding and most kernels read
// values, and copying each on first read would be one thread at a time.
std::unordered_set<const void*> conv_weights_only(const Graph& graph) {
  std::unordered_map<std::string, bool> only_weights;  // name -> read only as Conv input 1
  auto note_reads = [&](const std::vector<std::string>& inputs, bool conv) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      bool& only = only_weights.try_emplace(inputs[i], true).first->second;
      only = only && conv && i == 1;
    }
  };
  for (const Node& node : graph.nodes) {
    note_reads(node.inputs, node.op_type == "Conv" && node.domain.empty());
    // A subgraph may read any outer value by name; it gets copies of everything it could read.
    for (const Attribute& a : node.attributes)
      if (a.g || !a.graphs.empty()) return {};
  }
  for (const ValueInfo& out : graph.outputs) only_weights[out.name] = false;
  std::unordered_set<const void*> data;
  for (const Initializer& init : graph.initializers) {
    auto it = only_weights.find(init.name);
    if (it != only_weights.end() && it->second) data.insert(init.tensor.raw());
  }
  return data;
}

std::shared_ptr<Model> decode_model(DecodeContext& ctx) {
  auto model = std::make_shared<Model>();
  wire::WireReader r = ctx.whole_reader();
  ctx.defer_copies();
  while (!r.at_end()) read_model_field(ctx, r, r.read_tag(), *model);
  const auto stays =
      model->graph ? conv_weights_only(*model->graph) : std::unordered_set<const void*>{};
  ctx.finish_copies([&](const Tensor& t) { return stays.count(t.raw()) > 0; });
  if (!model->graph) ctx.fail("not an ONNX model: no graph");
  // IR version 3 made opset_import mandatory; without it no op can be resolved.
  if (model->ir_version >= 3 && model->opsets.empty()) ctx.fail("model has no opset_import");
  model->backing = ctx.keep_alive();
  return model;
}

}  // namespace
}  // namespace onnx

std::shared_ptr<Model> read_onnx_model(const std::string& path) {
  const std::shared_ptr<MappedFile> file = MappedFile::open(path);
  const std::string folder = std::filesystem::path(path).parent_path().string();
  onnx::DecodeContext ctx(path, wire::Bytes(file->data(), file->size()), file,
                          folder.empty() ? "." : folder);
  return onnx::decode_model(ctx);
}

std::shared_ptr<Model> read_onnx_model_from_memory(const uint8_t* data, size_t size,
                                                   std::shared_ptr<void> keep_alive,
                                                   const std::string& base_dir) {
  onnx::DecodeContext ctx("<memory>", wire::Bytes(data, size), std::move(keep_alive), base_dir);
  return onnx::decode_model(ctx);
}

}  // namespace infera
