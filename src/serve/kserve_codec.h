// KServe v2 (Open Inference Protocol) inference bodies <-> tensors: JSON tensors (nested or
// flat "data"), the binary tensor extension (Inference-Header-Content-Length, binary_data_size,
// binary_data, binary_data_output) and the classification extension ("score:index:label").
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "infera/tensor.h"
#include "serve/http_server.h"
#include "serve/served_model.h"

namespace infera::serve {

// A request the server refuses, with the HTTP status Triton gives it (400, 404, 503, ...).
class ServeError : public std::runtime_error {
 public:
  ServeError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// "FP32", "INT64", "BYTES", ...; throws ServeError for types v2 cannot carry.
const char* v2_datatype(DType dtype);
// The inverse; throws ServeError(400) naming the unknown name.
DType dtype_from_v2(const std::string& datatype);

struct RequestedOutput {
  size_t index = 0;        // in the session's outputs
  bool binary = false;     // answer with raw bytes after the JSON header
  int classification = 0;  // > 0: the top k as "score:index:label" strings
};

struct InferRequest {
  std::string id;
  std::vector<Tensor> inputs;            // in the session's input order
  int64_t rows = 1;                      // dim 0 shared by the inputs of a batchable model
  int64_t timeout_us = 0;                // "parameters": {"timeout": us}; 0: the model's default
  std::vector<RequestedOutput> outputs;  // what to answer, in order
};

// Throws ServeError(400) naming what is wrong.
InferRequest decode_infer_request(const HttpRequest& request, const ServedModel& model);
HttpResponse encode_infer_response(const InferRequest& request, const ServedModel& model,
                                   const std::vector<Tensor>& outputs);

// {"error":"..."} with `status`.
HttpResponse error_response(int status, const std::string& message);

}  // namespace infera::serve
