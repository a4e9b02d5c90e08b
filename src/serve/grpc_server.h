// The KServe v2 gRPC front end (inference.GRPCInferenceService, src/serve/proto/kserve_v2.proto):
// ServerLive, ServerReady, ModelReady, ServerMetadata, ModelMetadata and ModelInfer, beside
// the HTTP server on its own port. ModelInfer checks a request with the same functions as
// HTTP (kserve_codec.h) and queues it on the same model's dynamic batcher; HTTP statuses map
// to gRPC codes (400 INVALID_ARGUMENT, 404 NOT_FOUND, 503 UNAVAILABLE, 500 INTERNAL).
//
//   GrpcServer grpc({"127.0.0.1", 8001}, repository, ready, logger);
//   grpc.start();          // listening once it returns
//   grpc.request_stop();   // async-signal-safe
//   grpc.wait_stopped();   // in-flight RPCs answered, the port closed
#pragma once

#include <semaphore.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "serve/log.h"
#include "serve/model_repository.h"

namespace grpc {
class Server;
}

namespace infera::serve {

struct GrpcServerOptions {
  std::string host = "127.0.0.1";
  int port = 8001;  // 0: any free port (port() tells which)
};

// The gRPC code for an HTTP status the server answers with.
int grpc_code_for_http_status(int status);

class GrpcServer {
 public:
  GrpcServer(GrpcServerOptions options, ModelRepository& repository, const std::atomic<bool>& ready,
             Logger& logger);
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // Throws infera::Error when the address cannot be bound.
  void start();
  int port() const { return bound_port_; }
  // Async-signal-safe (a semaphore post): a thread of ours then shuts the server down.
  void request_stop();
  // Returns once the server has stopped: new RPCs refused, in-flight ones answered.
  void wait_stopped();

 private:
  class Service;

  GrpcServerOptions options_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int bound_port_ = 0;
  sem_t stop_requested_;
  std::thread stopper_;
};

}  // namespace infera::serve
