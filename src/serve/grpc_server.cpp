#include "serve/grpc_server.h"

#include <grpcpp/grpcpp.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <utility>

#include "infera/error.h"
#include "kserve_v2.grpc.pb.h"
#include "serve/kserve_codec.h"

namespace infera::serve {

namespace {

using inference::InferParameter;
using inference::InferTensorContents;
using inference::ModelInferRequest;
using inference::ModelInferResponse;

grpc::Status status_from(int http_status, const std::string& message) {
  return grpc::Status(static_cast<grpc::StatusCode>(grpc_code_for_http_status(http_status)),
                      message);
}

// Finds the served model, refusing an unknown name or a version other than the one served
// (the same 404s as the HTTP routes).
std::shared_ptr<ServedModel> find_model(const ModelRepository& repository, const std::string& name,
                                        const std::string& version) {
  std::shared_ptr<ServedModel> model = repository.find(name);
  if (!model) throw ServeError(404, "unknown model '" + name + "'");
  if (!version.empty() && version != model->version())
    throw ServeError(404, "model '" + name + "' has no version '" + version + "'; version " +
                              model->version() + " is served");
  return model;
}

const InferParameter* find_parameter(
    const google::protobuf::Map<std::string, InferParameter>& parameters, const char* key) {
  auto it = parameters.find(key);
  return it == parameters.end() ? nullptr : &it->second;
}

// Copies typed `values` into `tensor`, refusing a count that does not match its shape and
// integers that do not fit its datatype.
template <typename T, typename Values>
void copy_typed(Tensor& tensor, const Values& values, const std::string& input, const char* field) {
  if (static_cast<int64_t>(values.size()) != tensor.numel())
    throw ServeError(400, "input '" + input + "' has " + std::to_string(values.size()) +
                              " elements in contents." + field + ", its shape " +
                              shape_to_string(tensor.shape()) + " holds " +
                              std::to_string(tensor.numel()));
  T* out = tensor.data<T>();
  for (int i = 0; i < values.size(); ++i) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (!std::in_range<T>(values[i]))
        throw ServeError(400, "input '" + input + "' element " + std::to_string(i) + " (" +
                                  std::to_string(values[i]) + ") does not fit " +
                                  v2_datatype(tensor.dtype()));
    }
    out[i] = static_cast<T>(values[i]);
  }
}

void read_typed_contents(Tensor& tensor, const InferTensorContents& contents,
                         const std::string& input) {
  switch (tensor.dtype()) {
    case DType::kBool:
      return copy_typed<bool>(tensor, contents.bool_contents(), input, "bool_contents");
    case DType::kInt8:
      return copy_typed<int8_t>(tensor, contents.int_contents(), input, "int_contents");
    case DType::kInt16:
      return copy_typed<int16_t>(tensor, contents.int_contents(), input, "int_contents");
    case DType::kInt32:
      return copy_typed<int32_t>(tensor, contents.int_contents(), input, "int_contents");
    case DType::kInt64:
      return copy_typed<int64_t>(tensor, contents.int64_contents(), input, "int64_contents");
    case DType::kUInt8:
      return copy_typed<uint8_t>(tensor, contents.uint_contents(), input, "uint_contents");
    case DType::kUInt16:
      return copy_typed<uint16_t>(tensor, contents.uint_contents(), input, "uint_contents");
    case DType::kUInt32:
      return copy_typed<uint32_t>(tensor, contents.uint_contents(), input, "uint_contents");
    case DType::kUInt64:
      return copy_typed<uint64_t>(tensor, contents.uint64_contents(), input, "uint64_contents");
    case DType::kFloat32:
      return copy_typed<float>(tensor, contents.fp32_contents(), input, "fp32_contents");
    case DType::kFloat64:
      return copy_typed<double>(tensor, contents.fp64_contents(), input, "fp64_contents");
    case DType::kString:
      return copy_typed<std::string>(tensor, contents.bytes_contents(), input, "bytes_contents");
    default:
      throw ServeError(400, "input '" + input + "' is " + v2_datatype(tensor.dtype()) +
                                ", which has no typed contents field: send raw_input_contents");
  }
}

// False for FP16 and BF16, which only travel raw.
bool has_typed_field(DType dtype) {
  return dtype != DType::kFloat16 && dtype != DType::kBFloat16;
}

template <typename T, typename Repeated>
void append_typed(const Tensor& tensor, Repeated* values) {
  const T* elements = tensor.data<T>();
  values->Reserve(static_cast<int>(tensor.numel()));
  for (int64_t i = 0; i < tensor.numel(); ++i) values->Add(elements[i]);
}

void write_typed_contents(const Tensor& tensor, InferTensorContents& contents) {
  switch (tensor.dtype()) {
    case DType::kBool:
      return append_typed<bool>(tensor, contents.mutable_bool_contents());
    case DType::kInt8:
      return append_typed<int8_t>(tensor, contents.mutable_int_contents());
    case DType::kInt16:
      return append_typed<int16_t>(tensor, contents.mutable_int_contents());
    case DType::kInt32:
      return append_typed<int32_t>(tensor, contents.mutable_int_contents());
    case DType::kInt64:
      return append_typed<int64_t>(tensor, contents.mutable_int64_contents());
    case DType::kUInt8:
      return append_typed<uint8_t>(tensor, contents.mutable_uint_contents());
    case DType::kUInt16:
      return append_typed<uint16_t>(tensor, contents.mutable_uint_contents());
    case DType::kUInt32:
      return append_typed<uint32_t>(tensor, contents.mutable_uint_contents());
    case DType::kUInt64:
      return append_typed<uint64_t>(tensor, contents.mutable_uint64_contents());
    case DType::kFloat32:
      return append_typed<float>(tensor, contents.mutable_fp32_contents());
    case DType::kFloat64:
      return append_typed<double>(tensor, contents.mutable_fp64_contents());
    case DType::kString:
      for (int64_t i = 0; i < tensor.numel(); ++i)
        contents.add_bytes_contents(tensor.data<std::string>()[i]);
      return;
    default:
      throw ServeError(500,
                       std::string("no typed contents field for ") + dtype_name(tensor.dtype()));
  }
}

// ModelInferRequest -> the InferRequest HTTP decodes into. Outputs come back raw
// (raw_output_contents) when the request sent raw_input_contents, typed otherwise; the
// request parameter "binary_data_output" (bool) overrides that.
InferRequest decode_grpc_request(const ModelInferRequest& message, const ServedModel& model) {
  InferRequest request;
  request.id = message.id();
  if (const InferParameter* timeout = find_parameter(message.parameters(), "timeout");
      timeout && timeout->has_int64_param())
    request.timeout_us = timeout->int64_param();
  const bool raw_inputs = message.raw_input_contents_size() > 0;
  if (raw_inputs && message.raw_input_contents_size() != message.inputs_size())
    throw ServeError(400, "raw_input_contents has " +
                              std::to_string(message.raw_input_contents_size()) + " entries for " +
                              std::to_string(message.inputs_size()) +
                              " inputs: give one per input, or none");
  request.inputs.resize(model.session().inputs().size());
  for (int i = 0; i < message.inputs_size(); ++i) {
    const ModelInferRequest::InferInputTensor& input = message.inputs(i);
    Shape shape;
    for (int64_t dim : input.shape()) {
      if (dim < 0)
        throw ServeError(400, "input '" + input.name() + "' shape must hold non-negative integers");
      shape.push_back(dim);
    }
    Tensor& tensor = add_input(request, model, input.name(), input.datatype(), shape);
    if (raw_inputs) {
      if (input.has_contents())
        throw ServeError(
            400, "input '" + input.name() + "' has typed contents as well as raw_input_contents");
      const std::string& raw = message.raw_input_contents(i);
      read_raw_tensor(tensor, raw.data(), raw.size(), input.name());
    } else {
      read_typed_contents(tensor, input.contents(), input.name());
    }
  }
  finish_inputs(request, model);

  bool raw_outputs = raw_inputs;
  if (const InferParameter* flag = find_parameter(message.parameters(), "binary_data_output");
      flag && flag->has_bool_param())
    raw_outputs = flag->bool_param();
  if (message.outputs_size() == 0) request.outputs = every_output(model, raw_outputs);
  for (const ModelInferRequest::InferRequestedOutputTensor& output : message.outputs()) {
    RequestedOutput wanted{output_index(model, output.name()), raw_outputs, 0};
    if (const InferParameter* k = find_parameter(output.parameters(), "classification")) {
      if (!k->has_int64_param()) throw_bad_classification(output.name());
      wanted.classification = classification_count(output.name(), k->int64_param());
    }
    request.outputs.push_back(wanted);
  }
  return request;
}

void encode_grpc_response(const InferRequest& request, const ServedModel& model,
                          const std::vector<Tensor>& outputs, ModelInferResponse& response) {
  response.set_model_name(model.name());
  response.set_model_version(model.version());
  response.set_id(request.id);
  std::vector<Tensor> answers;
  bool raw = false;
  for (const RequestedOutput& wanted : request.outputs) {
    answers.push_back(answer_tensor(wanted, model, outputs));
    // raw_output_contents holds every output or none: one FP16 output makes them all raw.
    raw = raw || wanted.binary || !has_typed_field(answers.back().dtype());
  }
  for (size_t n = 0; n < answers.size(); ++n) {
    const Tensor& tensor = answers[n];
    ModelInferResponse::InferOutputTensor& output = *response.add_outputs();
    output.set_name(model.session().outputs()[request.outputs[n].index].name);
    output.set_datatype(v2_datatype(tensor.dtype()));
    for (int axis = 0; axis < tensor.rank(); ++axis) output.add_shape(tensor.dim(axis));
    if (raw)
      response.add_raw_output_contents(raw_tensor_bytes(tensor));
    else
      write_typed_contents(tensor, *output.mutable_contents());
  }
}

void set_tensor_metadata(
    const std::vector<TensorInfo>& tensors,
    google::protobuf::RepeatedPtrField<inference::ModelMetadataResponse::TensorMetadata>*
        metadata) {
  for (const TensorInfo& info : tensors) {
    inference::ModelMetadataResponse::TensorMetadata& entry = *metadata->Add();
    entry.set_name(info.name);
    try {
      entry.set_datatype(v2_datatype(info.dtype));
    } catch (const ServeError&) {
      entry.set_datatype(dtype_name(info.dtype));  // a sequence or a type v2 cannot carry
    }
    for (int64_t dim : info.shape) entry.add_shape(dim);
  }
}

// One ModelInfer call: answered from a batcher thread; the client going away cancels the
// queued job.
class InferReactor : public grpc::ServerUnaryReactor {
 public:
  InferReactor() : cancelled_(std::make_shared<std::atomic<bool>>(false)) {}
  const std::shared_ptr<std::atomic<bool>>& cancelled() const { return cancelled_; }
  void OnCancel() override { cancelled_->store(true); }
  void OnDone() override { delete this; }

 private:
  std::shared_ptr<std::atomic<bool>> cancelled_;
};

}  // namespace

int grpc_code_for_http_status(int status) {
  switch (status) {
    case 200:
      return grpc::StatusCode::OK;
    case 400:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case 404:
      return grpc::StatusCode::NOT_FOUND;
    case 499:
      return grpc::StatusCode::CANCELLED;
    case 503:
      return grpc::StatusCode::UNAVAILABLE;
    case 500:
      return grpc::StatusCode::INTERNAL;
    default:
      return grpc::StatusCode::UNKNOWN;
  }
}

class GrpcServer::Service : public inference::GRPCInferenceService::CallbackService {
 public:
  Service(ModelRepository& repository, const std::atomic<bool>& ready, Logger& logger)
      : repository_(repository), ready_(ready), logger_(logger) {}

  grpc::ServerUnaryReactor* ServerLive(grpc::CallbackServerContext* context,
                                       const inference::ServerLiveRequest*,
                                       inference::ServerLiveResponse* response) override {
    response->set_live(true);
    return finish(context, grpc::Status::OK);
  }

  grpc::ServerUnaryReactor* ServerReady(grpc::CallbackServerContext* context,
                                        const inference::ServerReadyRequest*,
                                        inference::ServerReadyResponse* response) override {
    response->set_ready(ready_.load());
    return finish(context, grpc::Status::OK);
  }

  // An unknown model or version is not ready (no error): the answer is the bool.
  grpc::ServerUnaryReactor* ModelReady(grpc::CallbackServerContext* context,
                                       const inference::ModelReadyRequest* request,
                                       inference::ModelReadyResponse* response) override {
    std::shared_ptr<ServedModel> model = repository_.find(request->name());
    response->set_ready(model &&
                        (request->version().empty() || request->version() == model->version()));
    return finish(context, grpc::Status::OK);
  }

  grpc::ServerUnaryReactor* ServerMetadata(grpc::CallbackServerContext* context,
                                           const inference::ServerMetadataRequest*,
                                           inference::ServerMetadataResponse* response) override {
    response->set_name("infera");
    response->set_version("0.1.0");
    response->add_extensions("classification");
    return finish(context, grpc::Status::OK);
  }

  grpc::ServerUnaryReactor* ModelMetadata(grpc::CallbackServerContext* context,
                                          const inference::ModelMetadataRequest* request,
                                          inference::ModelMetadataResponse* response) override {
    try {
      std::shared_ptr<ServedModel> model =
          find_model(repository_, request->name(), request->version());
      response->set_name(model->name());
      response->add_versions(model->version());
      response->set_platform("onnx");
      set_tensor_metadata(model->session().inputs(), response->mutable_inputs());
      set_tensor_metadata(model->session().outputs(), response->mutable_outputs());
      return finish(context, grpc::Status::OK);
    } catch (const ServeError& e) {
      return finish(context, status_from(e.status(), e.what()));
    }
  }

  grpc::ServerUnaryReactor* ModelInfer(grpc::CallbackServerContext* context,
                                       const ModelInferRequest* request,
                                       ModelInferResponse* response) override {
    auto* reactor = new InferReactor();
    const auto started = std::chrono::steady_clock::now();
    auto answer = [this, reactor, started, request, peer = context->peer()](grpc::Status status) {
      access_log(*request, status, started, peer);
      reactor->Finish(status);
    };
    try {
      std::shared_ptr<ServedModel> model =
          find_model(repository_, request->model_name(), request->model_version());
      auto decoded = std::make_shared<InferRequest>(decode_grpc_request(*request, *model));
      InferenceJob job = make_inference_job(*model, *decoded, reactor->cancelled());
      // The callback keeps the model version alive until the answer is encoded; the
      // response lives until the reactor's OnDone, after Finish.
      job.done = [model, decoded, response, answer](InferenceResult result) {
        if (!result.error.empty()) return answer(status_from(result.status, result.error));
        try {
          encode_grpc_response(*decoded, *model, result.outputs, *response);
          answer(grpc::Status::OK);
        } catch (const ServeError& e) {
          answer(status_from(e.status(), e.what()));
        } catch (const std::exception& e) {
          answer(status_from(500, e.what()));
        }
      };
      if (!model->batcher().submit(job)) throw ServeError(503, queue_full_message(*model));
    } catch (const ServeError& e) {
      answer(status_from(e.status(), e.what()));
    } catch (const Error& e) {
      answer(status_from(e.kind() == ErrorKind::kInternal ? 500 : 400, e.what()));
    }
    return reactor;
  }

 private:
  static grpc::ServerUnaryReactor* finish(grpc::CallbackServerContext* context,
                                          const grpc::Status& status) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
  }

  void access_log(const ModelInferRequest& request, const grpc::Status& status,
                  std::chrono::steady_clock::time_point started, const std::string& peer) {
    if (!logger_.enabled(LogLevel::kInfo)) return;
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.3f", ms);
    logger_.log(LogLevel::kInfo, "access",
                "\"rpc\":\"ModelInfer\",\"model\":" + json_quote(request.model_name()) +
                    ",\"grpc_code\":" + std::to_string(status.error_code()) +
                    ",\"duration_ms\":" + duration + ",\"peer\":" + json_quote(peer));
  }

  ModelRepository& repository_;
  const std::atomic<bool>& ready_;
  Logger& logger_;
};

GrpcServer::GrpcServer(GrpcServerOptions options, ModelRepository& repository,
                       const std::atomic<bool>& ready, Logger& logger)
    : options_(std::move(options)), service_(std::make_unique<Service>(repository, ready, logger)) {
  sem_init(&stop_requested_, 0, 0);
}

GrpcServer::~GrpcServer() {
  if (stopper_.joinable()) {
    request_stop();
    stopper_.join();
  }
  sem_destroy(&stop_requested_);
}

void GrpcServer::start() {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.host + ":" + std::to_string(options_.port),
                           grpc::InsecureServerCredentials(), &bound_port_);
  builder.RegisterService(service_.get());
  // Tensors are bigger than gRPC's 4 MiB default; HTTP's --max-request-mib is the limit.
  builder.SetMaxReceiveMessageSize(-1);
  builder.SetMaxSendMessageSize(-1);
  server_ = builder.BuildAndStart();
  if (!server_ || bound_port_ == 0)
    throw Error(ErrorKind::kInvalidArgument,
                "gRPC: cannot listen on " + options_.host + ":" + std::to_string(options_.port));
  stopper_ = std::thread([this] {
    while (sem_wait(&stop_requested_) != 0 && errno == EINTR) {
    }
    // New calls are refused at once; calls in flight get 30 s to be answered.
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(30));
  });
}

void GrpcServer::request_stop() {
  sem_post(&stop_requested_);
}

void GrpcServer::wait_stopped() {
  if (stopper_.joinable()) stopper_.join();
}

}  // namespace infera::serve
