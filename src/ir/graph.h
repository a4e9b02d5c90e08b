// The model as read from ONNX, still keyed by value names. The runtime compiles it into an
// indexed form (see runtime/compiled_graph.h); rewrites operate on this form.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "infera/tensor.h"

namespace infera {

struct Graph;

// One dimension of a declared shape: a number, or a symbolic name ("batch"), or unknown.
struct Dim {
  int64_t value = -1;  // -1 when symbolic or unknown
  std::string param;
};

// ONNX TypeProto, the parts we use.
struct TypeInfo {
  enum class Kind : uint8_t { kUnknown, kTensor, kSequence, kOptional, kMap, kSparseTensor };
  Kind kind = Kind::kUnknown;
  DType elem_type = DType::kUndefined;  // tensor element type
  bool has_shape = false;
  std::vector<Dim> dims;
  std::shared_ptr<TypeInfo> inner;  // sequence / optional element type
};

struct ValueInfo {
  std::string name;
  TypeInfo type;
};

struct Attribute {
  enum class Type : int32_t {
    kUndefined = 0, kFloat = 1, kInt = 2, kString = 3, kTensor = 4, kGraph = 5,
    kFloats = 6, kInts = 7, kStrings = 8, kTensors = 9, kGraphs = 10,
    kSparseTensor = 11, kSparseTensors = 12, kTypeProto = 13, kTypeProtos = 14,
  };
  std::string name;
  std::string ref_attr_name;  // set inside function bodies
  Type type = Type::kUndefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<Graph> g;
  TypeInfo tp;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
  std::vector<std::shared_ptr<Graph>> graphs;
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" means ai.onnx
  std::vector<std::string> inputs;   // "" marks an omitted optional input
  std::vector<std::string> outputs;  // "" marks an omitted optional output
  std::vector<Attribute> attributes;

  const Attribute* find_attribute(const std::string& attr_name) const;
  // "Conv 'conv1'" or "Conv (node 12)" for messages.
  std::string describe() const;
};

struct Initializer {
  std::string name;
  Tensor tensor;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  std::vector<ValueInfo> value_info;
  std::vector<Initializer> initializers;
};

struct OpsetImport {
  std::string domain;  // "" or "ai.onnx" for the default domain
  int64_t version = 0;
};

// A model-local function (FunctionProto): expanded inline when a node calls it.
struct Function {
  std::string name;
  std::string domain;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<std::string> attribute_names;
  std::vector<Node> nodes;
  std::vector<OpsetImport> opsets;
};

struct Model {
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::string domain;
  int64_t model_version = 0;
  std::string doc_string;
  std::vector<OpsetImport> opsets;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<Function> functions;
  std::shared_ptr<Graph> graph;
  std::shared_ptr<void> backing;  // keeps the mapped file alive for in-place initializers

  // The opset version the model imports for `domain` ("" = ai.onnx); 0 if not imported.
  int64_t opset_for(const std::string& domain) const;
};

std::string type_to_string(const TypeInfo& type);

}  // namespace infera
