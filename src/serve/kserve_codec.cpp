#include "serve/kserve_codec.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <numeric>

#include "serve/log.h"

namespace infera::serve {

namespace {

using json = nlohmann::json;

struct DatatypeName {
  DType dtype;
  const char* name;
};
constexpr DatatypeName kDatatypes[] = {
    {DType::kBool, "BOOL"},     {DType::kUInt8, "UINT8"},   {DType::kUInt16, "UINT16"},
    {DType::kUInt32, "UINT32"}, {DType::kUInt64, "UINT64"}, {DType::kInt8, "INT8"},
    {DType::kInt16, "INT16"},   {DType::kInt32, "INT32"},   {DType::kInt64, "INT64"},
    {DType::kFloat16, "FP16"},  {DType::kFloat32, "FP32"},  {DType::kFloat64, "FP64"},
    {DType::kString, "BYTES"},  {DType::kBFloat16, "BF16"},
};

// Calls `visit(T{})` with the C++ type holding one element of `dtype` (uint16_t for FP16/BF16).
template <typename Visit>
void visit_dtype(DType dtype, Visit&& visit) {
  switch (dtype) {
    case DType::kBool:
      return visit(bool{});
    case DType::kUInt8:
      return visit(uint8_t{});
    case DType::kUInt16:
    case DType::kFloat16:
    case DType::kBFloat16:
      return visit(uint16_t{});
    case DType::kUInt32:
      return visit(uint32_t{});
    case DType::kUInt64:
      return visit(uint64_t{});
    case DType::kInt8:
      return visit(int8_t{});
    case DType::kInt16:
      return visit(int16_t{});
    case DType::kInt32:
      return visit(int32_t{});
    case DType::kInt64:
      return visit(int64_t{});
    case DType::kFloat32:
      return visit(float{});
    case DType::kFloat64:
      return visit(double{});
    default:
      throw ServeError(400, std::string("datatype ") + dtype_name(dtype) + " is not supported");
  }
}

// Writes the leaves of `data` (nested arrays or flat) into `out` in row-major order.
class LeafWriter {
 public:
  LeafWriter(Tensor& tensor, const std::string& input) : tensor_(tensor), input_(input) {}

  void write(const json& data) {
    if (data.is_array()) {
      for (const json& item : data) write(item);
      return;
    }
    if (next_ >= tensor_.numel())
      throw ServeError(400, "input '" + input_ + "' has more data than its shape " +
                                shape_to_string(tensor_.shape()) + " holds");
    store(data);
    ++next_;
  }
  int64_t written() const { return next_; }

 private:
  void store(const json& value) {
    const DType dtype = tensor_.dtype();
    if (dtype == DType::kString) {
      if (!value.is_string()) fail(value, "a string");
      tensor_.data<std::string>()[next_] = value.get<std::string>();
    } else if (dtype == DType::kBool) {
      if (!value.is_boolean()) fail(value, "true or false");
      tensor_.data<bool>()[next_] = value.get<bool>();
    } else if (dtype == DType::kFloat16 || dtype == DType::kBFloat16) {
      if (!value.is_number()) fail(value, "a number");
      const float f = value.get<float>();
      tensor_.data<uint16_t>()[next_] =
          dtype == DType::kFloat16 ? float_to_half(f) : float_to_bfloat16(f);
    } else {
      visit_dtype(dtype, [&](auto type_tag) {
        using T = decltype(type_tag);
        if constexpr (std::is_integral_v<T>) {
          if (!value.is_number_integer()) fail(value, "an integer");
        } else {
          if (!value.is_number()) fail(value, "a number");
        }
        tensor_.data<T>()[next_] = value.get<T>();
      });
    }
  }
  [[noreturn]] void fail(const json& value, const char* expected) {
    throw ServeError(400, "input '" + input_ + "' (" + v2_datatype(tensor_.dtype()) + ") expects " +
                              expected + " at element " + std::to_string(next_) + ", got " +
                              value.dump().substr(0, 40));
  }

  Tensor& tensor_;
  const std::string& input_;
  int64_t next_ = 0;
};

// Copies binary_data bytes into `tensor`; BYTES elements are 4-byte little-endian lengths
// followed by the bytes.
void read_binary(Tensor& tensor, const char* bytes, size_t size, const std::string& input) {
  if (tensor.dtype() != DType::kString) {
    if (size != tensor.nbytes())
      throw ServeError(400, "input '" + input + "' has binary_data_size " + std::to_string(size) +
                                ", but " + v2_datatype(tensor.dtype()) + " " +
                                shape_to_string(tensor.shape()) + " takes " +
                                std::to_string(tensor.nbytes()) + " bytes");
    std::memcpy(tensor.raw(), bytes, size);
    return;
  }
  size_t at = 0;
  for (int64_t i = 0; i < tensor.numel(); ++i) {
    uint32_t length = 0;
    if (at + 4 > size) throw ServeError(400, "input '" + input + "': binary BYTES data ends early");
    std::memcpy(&length, bytes + at, 4);
    if (at + 4 + length > size)
      throw ServeError(400, "input '" + input + "': binary BYTES data ends early");
    tensor.data<std::string>()[i].assign(bytes + at + 4, length);
    at += 4 + length;
  }
  if (at != size)
    throw ServeError(400, "input '" + input + "': binary BYTES data is longer than its shape");
}

void append_number(std::string& out, double value, bool single) {
  char buffer[32];
  // Shortest text that reads back to the same float (or double): no digits lost, none invented.
  const auto result = single
                          ? std::to_chars(buffer, buffer + sizeof buffer, static_cast<float>(value))
                          : std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

template <typename T>
void append_integer(std::string& out, T value) {
  char buffer[24];
  out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
}

// The elements of `tensor` as a flat JSON array.
void append_json_data(std::string& out, const Tensor& tensor) {
  out += '[';
  const int64_t count = tensor.numel();
  const DType dtype = tensor.dtype();
  for (int64_t i = 0; i < count; ++i) {
    if (i) out += ',';
    if (dtype == DType::kString) {
      out += json_quote(tensor.data<std::string>()[i]);
    } else if (dtype == DType::kBool) {
      out += tensor.data<bool>()[i] ? "true" : "false";
    } else if (dtype == DType::kFloat16) {
      append_number(out, half_to_float(tensor.data<uint16_t>()[i]), true);
    } else if (dtype == DType::kBFloat16) {
      append_number(out, bfloat16_to_float(tensor.data<uint16_t>()[i]), true);
    } else if (dtype == DType::kFloat32) {
      append_number(out, tensor.data<float>()[i], true);
    } else if (dtype == DType::kFloat64) {
      append_number(out, tensor.data<double>()[i], false);
    } else {
      visit_dtype(dtype, [&](auto type_tag) {
        using T = decltype(type_tag);
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
          append_integer(out, tensor.data<T>()[i]);
      });
    }
  }
  out += ']';
}

std::string binary_bytes(const Tensor& tensor) {
  if (tensor.dtype() != DType::kString)
    return std::string(static_cast<const char*>(tensor.raw()), tensor.nbytes());
  std::string out;
  for (int64_t i = 0; i < tensor.numel(); ++i) {
    const std::string& element = tensor.data<std::string>()[i];
    const uint32_t length = static_cast<uint32_t>(element.size());
    out.append(reinterpret_cast<const char*>(&length), 4);
    out += element;
  }
  return out;
}

double element_as_double(const Tensor& tensor, int64_t i) {
  double value = 0;
  if (tensor.dtype() == DType::kFloat16) return half_to_float(tensor.data<uint16_t>()[i]);
  if (tensor.dtype() == DType::kBFloat16) return bfloat16_to_float(tensor.data<uint16_t>()[i]);
  if (tensor.dtype() == DType::kString)
    throw ServeError(400, "classification needs a numeric output");
  visit_dtype(tensor.dtype(), [&](auto type_tag) {
    using T = decltype(type_tag);
    value = static_cast<double>(tensor.data<T>()[i]);
  });
  return value;
}

// The classification extension: per row, the k highest as "score:index:label" (":label"
// only when the model's pipeline spec names the classes).
Tensor classify(const Tensor& output, int k, const std::vector<std::string>& labels) {
  const int64_t rows = output.rank() <= 1 ? 1 : output.dim(0);
  const int64_t classes = rows == 0 ? 0 : output.numel() / rows;
  const int64_t keep = std::min<int64_t>(k, classes);
  Tensor result =
      Tensor::empty(DType::kString, output.rank() <= 1 ? Shape{keep} : Shape{rows, keep});
  std::vector<int64_t> order(static_cast<size_t>(classes));
  for (int64_t row = 0; row < rows; ++row) {
    std::iota(order.begin(), order.end(), 0);
    auto score = [&](int64_t c) { return element_as_double(output, row * classes + c); };
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return score(a) > score(b); });
    for (int64_t j = 0; j < keep; ++j) {
      const int64_t index = order[static_cast<size_t>(j)];
      std::string text;
      append_number(text, score(index), output.dtype() != DType::kFloat64);
      text += ':';
      text += std::to_string(index);
      if (index < static_cast<int64_t>(labels.size())) {
        text += ':';
        text += labels[static_cast<size_t>(index)];
      }
      result.data<std::string>()[row * keep + j] = std::move(text);
    }
  }
  return result;
}

const json* find_member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

bool parameter_flag(const json& object, const char* key) {
  const json* parameters = find_member(object, "parameters");
  const json* flag = parameters ? find_member(*parameters, key) : nullptr;
  return flag && flag->is_boolean() && flag->get<bool>();
}

Tensor decode_input(const json& spec, const TensorInfo& declared, const char*& binary,
                    const char* binary_end) {
  const std::string& name = declared.name;
  const json* datatype = find_member(spec, "datatype");
  const json* shape_json = find_member(spec, "shape");
  if (!datatype || !datatype->is_string() || !shape_json || !shape_json->is_array())
    throw ServeError(400, "input '" + name + "' needs \"datatype\" and \"shape\"");
  const DType dtype = dtype_from_v2(datatype->get<std::string>());
  if (dtype != declared.dtype)
    throw ServeError(400, "input '" + name + "' has datatype " + datatype->get<std::string>() +
                              ", the model expects " + v2_datatype(declared.dtype));
  Shape shape;
  for (const json& dim : *shape_json) {
    if (!dim.is_number_integer() || dim.get<int64_t>() < 0)
      throw ServeError(400, "input '" + name + "' shape must hold non-negative integers, got " +
                                shape_json->dump());
    shape.push_back(dim.get<int64_t>());
  }
  bool fits = !declared.has_shape || declared.shape.size() == shape.size();
  for (size_t axis = 0; fits && declared.has_shape && axis < shape.size(); ++axis)
    fits = declared.shape[axis] < 0 || declared.shape[axis] == shape[axis];
  if (!fits)
    throw ServeError(400, "input '" + name + "' has shape " + shape_to_string(shape) +
                              ", the model expects " + declared.describe());
  Tensor tensor = Tensor::empty(dtype, shape);
  const json* parameters = find_member(spec, "parameters");
  const json* binary_size = parameters ? find_member(*parameters, "binary_data_size") : nullptr;
  if (binary_size) {
    if (!binary_size->is_number_unsigned())
      throw ServeError(400, "input '" + name + "' binary_data_size must be a non-negative integer");
    const size_t size = binary_size->get<size_t>();
    if (binary == nullptr || static_cast<size_t>(binary_end - binary) < size)
      throw ServeError(400, "input '" + name + "' has binary_data_size " + std::to_string(size) +
                                " but the body holds fewer binary bytes");
    read_binary(tensor, binary, size, name);
    binary += size;
    return tensor;
  }
  const json* data = find_member(spec, "data");
  if (!data)
    throw ServeError(400, "input '" + name + "' has neither \"data\" nor binary_data_size");
  LeafWriter writer(tensor, name);
  writer.write(*data);
  if (writer.written() != tensor.numel())
    throw ServeError(400, "input '" + name + "' has " + std::to_string(writer.written()) +
                              " elements of data, its shape " + shape_to_string(shape) + " holds " +
                              std::to_string(tensor.numel()));
  return tensor;
}

}  // namespace

const char* v2_datatype(DType dtype) {
  for (const DatatypeName& entry : kDatatypes)
    if (entry.dtype == dtype) return entry.name;
  throw ServeError(400,
                   std::string("the KServe v2 protocol has no datatype for ") + dtype_name(dtype));
}

DType dtype_from_v2(const std::string& datatype) {
  for (const DatatypeName& entry : kDatatypes)
    if (datatype == entry.name) return entry.dtype;
  throw ServeError(400, "unknown datatype '" + datatype +
                            "' (BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64, BYTES)");
}

HttpResponse error_response(int status, const std::string& message) {
  return HttpResponse::json(status, "{\"error\":" + json_quote(message) + "}");
}

InferRequest decode_infer_request(const HttpRequest& http, const ServedModel& model) {
  const Session& session = model.session();
  size_t header_length = http.body.size();
  const std::string& header_field = http.header("inference-header-content-length");
  if (!header_field.empty()) {
    char* end = nullptr;
    header_length = std::strtoull(header_field.c_str(), &end, 10);
    if (*end != '\0' || header_length > http.body.size())
      throw ServeError(400, "Inference-Header-Content-Length " + header_field +
                                " is not within the body of " + std::to_string(http.body.size()) +
                                " bytes");
  }
  json body;
  try {
    body = json::parse(http.body.begin(),
                       http.body.begin() + static_cast<std::ptrdiff_t>(header_length));
  } catch (const json::exception& e) {
    throw ServeError(400, std::string("the request body is not valid JSON: ") + e.what());
  }
  const json* inputs = find_member(body, "inputs");
  if (!inputs || !inputs->is_array())
    throw ServeError(400, "the request needs an \"inputs\" array");

  InferRequest request;
  if (const json* id = find_member(body, "id"); id && id->is_string())
    request.id = id->get<std::string>();
  if (const json* parameters = find_member(body, "parameters"))
    if (const json* timeout = find_member(*parameters, "timeout");
        timeout && timeout->is_number_integer())
      request.timeout_us = timeout->get<int64_t>();
  const char* binary =
      header_length < http.body.size() ? http.body.data() + header_length : nullptr;
  const char* binary_end = http.body.data() + http.body.size();
  request.inputs.resize(session.inputs().size());
  std::vector<bool> given(session.inputs().size(), false);
  for (const json& spec : *inputs) {
    const json* name = find_member(spec, "name");
    if (!name || !name->is_string()) throw ServeError(400, "every input needs a \"name\"");
    size_t index = 0;
    while (index < session.inputs().size() &&
           session.inputs()[index].name != name->get<std::string>())
      ++index;
    if (index == session.inputs().size())
      throw ServeError(400, "model '" + model.name() + "' has no input '" +
                                name->get<std::string>() + "'; it takes '" +
                                session.inputs()[0].name + "'" +
                                (session.inputs().size() > 1 ? " and others" : ""));
    if (given[index])
      throw ServeError(400, "input '" + name->get<std::string>() + "' is given twice");
    request.inputs[index] = decode_input(spec, session.inputs()[index], binary, binary_end);
    given[index] = true;
  }
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i]) throw ServeError(400, "input '" + session.inputs()[i].name + "' is missing");
  if (binary != nullptr && binary != binary_end)
    throw ServeError(400,
                     std::to_string(binary_end - binary) +
                         " bytes after the JSON header are not claimed by any binary_data_size");

  if (model.batchable()) {
    request.rows = request.inputs[0].dim(0);
    for (const Tensor& input : request.inputs)
      if (input.dim(0) != request.rows)
        throw ServeError(
            400, "inputs disagree on the batch size (dim 0): " + std::to_string(request.rows) +
                     " and " + std::to_string(input.dim(0)));
    const int max_batch = model.max_batch_size();
    if (max_batch > 0 && request.rows > max_batch)
      throw ServeError(400, "batch of " + std::to_string(request.rows) +
                                " is over the model's max_batch_size " + std::to_string(max_batch));
  }

  const bool binary_default = parameter_flag(body, "binary_data_output");
  const json* outputs = find_member(body, "outputs");
  if (!outputs) {
    for (size_t i = 0; i < session.outputs().size(); ++i)
      request.outputs.push_back({i, binary_default, 0});
    return request;
  }
  if (!outputs->is_array()) throw ServeError(400, "\"outputs\" must be an array");
  for (const json& spec : *outputs) {
    const json* name = find_member(spec, "name");
    if (!name || !name->is_string())
      throw ServeError(400, "every requested output needs a \"name\"");
    size_t index = 0;
    while (index < session.outputs().size() &&
           session.outputs()[index].name != name->get<std::string>())
      ++index;
    if (index == session.outputs().size())
      throw ServeError(
          400, "model '" + model.name() + "' has no output '" + name->get<std::string>() + "'");
    RequestedOutput wanted{index, binary_default, 0};
    if (const json* parameters = find_member(spec, "parameters")) {
      if (const json* flag = find_member(*parameters, "binary_data"); flag && flag->is_boolean())
        wanted.binary = flag->get<bool>();
      if (const json* k = find_member(*parameters, "classification")) {
        if (!k->is_number_integer() || k->get<int64_t>() < 1)
          throw ServeError(400, "output '" + name->get<std::string>() +
                                    "' classification must be a positive integer");
        wanted.classification = static_cast<int>(k->get<int64_t>());
      }
    }
    request.outputs.push_back(wanted);
  }
  return request;
}

HttpResponse encode_infer_response(const InferRequest& request, const ServedModel& model,
                                   const std::vector<Tensor>& outputs) {
  std::string header = "{\"model_name\":" + json_quote(model.name()) +
                       ",\"model_version\":" + json_quote(model.version());
  if (!request.id.empty()) header += ",\"id\":" + json_quote(request.id);
  header += ",\"outputs\":[";
  std::string binary;
  for (size_t n = 0; n < request.outputs.size(); ++n) {
    const RequestedOutput& wanted = request.outputs[n];
    const Tensor tensor =
        wanted.classification > 0
            ? classify(outputs[wanted.index], wanted.classification, model.labels())
            : outputs[wanted.index];
    if (n) header += ',';
    header += "{\"name\":" + json_quote(model.session().outputs()[wanted.index].name) +
              ",\"datatype\":\"" + v2_datatype(tensor.dtype()) + "\",\"shape\":[";
    for (int axis = 0; axis < tensor.rank(); ++axis) {
      if (axis) header += ',';
      append_integer(header, tensor.dim(axis));
    }
    header += "]";
    if (wanted.binary) {
      const std::string bytes = binary_bytes(tensor);
      header += ",\"parameters\":{\"binary_data_size\":" + std::to_string(bytes.size()) + "}}";
      binary += bytes;
    } else {
      header += ",\"data\":";
      append_json_data(header, tensor);
      header += '}';
    }
  }
  header += "]}";
  if (binary.empty() && std::none_of(request.outputs.begin(), request.outputs.end(),
                                     [](const RequestedOutput& o) { return o.binary; }))
    return HttpResponse::json(200, std::move(header));
  HttpResponse response = HttpResponse::text(200, header + binary, "application/octet-stream");
  response.headers.emplace_back("Inference-Header-Content-Length", std::to_string(header.size()));
  return response;
}

}  // namespace infera::serve
