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

// The request path shared by the HTTP and gRPC front ends, so that both check a request
// the same way and refuse it with the same words. Each throws ServeError(400) naming what
// is wrong.
//
// Finds input `name` of the model, refuses a second copy of it, checks the datatype and
// shape against the model's, and returns its tensor (allocated, not filled) in
// `request.inputs`.
Tensor& add_input(InferRequest& request, const ServedModel& model, const std::string& name,
                  const std::string& datatype, const Shape& shape);
// After the last input: refuses missing inputs, sets `rows` and checks it against the
// model's max_batch_size.
void finish_inputs(InferRequest& request, const ServedModel& model);
// Fills `tensor` from raw little-endian bytes (BYTES: 4-byte length, then the bytes, per
// element), as the binary extension and gRPC's raw_input_contents carry them.
void read_raw_tensor(Tensor& tensor, const char* bytes, size_t size, const std::string& input);
// The inverse.
std::string raw_tensor_bytes(const Tensor& tensor);
size_t output_index(const ServedModel& model, const std::string& name);
std::vector<RequestedOutput> every_output(const ServedModel& model, bool binary);
[[noreturn]] void throw_bad_classification(const std::string& output);
int classification_count(const std::string& output, int64_t k);
// The tensor answered for `wanted`: the output itself or its classification strings.
Tensor answer_tensor(const RequestedOutput& wanted, const ServedModel& model,
                     const std::vector<Tensor>& outputs);
// A job for the model's batcher, taking the request's inputs; `done` is left to the caller.
InferenceJob make_inference_job(const ServedModel& model, InferRequest& request,
                                std::shared_ptr<std::atomic<bool>> cancelled);
// Why DynamicBatcher::submit refused: answered 503 / UNAVAILABLE.
std::string queue_full_message(const ServedModel& model);

// Throws ServeError(400) naming what is wrong.
InferRequest decode_infer_request(const HttpRequest& request, const ServedModel& model);
HttpResponse encode_infer_response(const InferRequest& request, const ServedModel& model,
                                   const std::vector<Tensor>& outputs);

// {"error":"..."} with `status`.
HttpResponse error_response(int status, const std::string& message);

}  // namespace infera::serve
