#include "ir/graph.h"

namespace infera {

const Attribute* Node::find_attribute(const std::string& attr_name) const {
  for (const Attribute& a : attributes)
    if (a.name == attr_name) return &a;
  return nullptr;
}

std::string Node::describe() const {
  std::string s = op_type;
  if (!name.empty()) {
    s += " '" + name + "'";
  } else if (!outputs.empty()) {
    s += " (output '" + outputs[0] + "')";
  }
  return s;
}

int64_t Model::opset_for(const std::string& wanted) const {
  const bool default_domain = wanted.empty() || wanted == "ai.onnx";
  for (const OpsetImport& o : opsets) {
    const bool is_default = o.domain.empty() || o.domain == "ai.onnx";
    if (default_domain ? is_default : o.domain == wanted) return o.version;
  }
  return 0;
}

std::string type_to_string(const TypeInfo& type) {
  switch (type.kind) {
    case TypeInfo::Kind::kTensor: {
      std::string s = std::string("tensor(") + dtype_name(type.elem_type) + ")";
      if (type.has_shape) {
        s += "[";
        for (size_t i = 0; i < type.dims.size(); ++i) {
          if (i) s += ", ";
          const Dim& d = type.dims[i];
          s += d.value >= 0 ? std::to_string(d.value) : (d.param.empty() ? "?" : d.param);
        }
        s += "]";
      }
      return s;
    }
    case TypeInfo::Kind::kSequence:
      return "seq(" + (type.inner ? type_to_string(*type.inner) : std::string("?")) + ")";
    case TypeInfo::Kind::kOptional:
      return "optional(" + (type.inner ? type_to_string(*type.inner) : std::string("?")) + ")";
    case TypeInfo::Kind::kMap: return "map";
    case TypeInfo::Kind::kSparseTensor: return "sparse_tensor";
    default: return "unknown";
  }
}

}  // namespace infera
