// A small HTTP/1.1 server on POSIX sockets and one epoll thread (docs/DECISIONS.md says why).
//
// The I/O thread reads requests (Content-Length or chunked bodies, a size limit, read and
// keep-alive timeouts, Expect: 100-continue), hands each to the handler, and writes the
// response whenever any thread passes it to the Responder. One request per connection is in
// flight at a time; the next one on a keep-alive connection is read after the answer is sent.
// When a client goes away while its request is being served, the request's `cancelled` flag
// turns true so queued work can be skipped.
//
//   HttpServer server({.host = "127.0.0.1", .port = 0}, [](HttpRequest req, Responder out) {
//     out.send(HttpResponse::json(200, R"({"ok":true})"));
//   });
//   server.start();          // binds; server.port() is the port chosen
//   server.run();            // until stop() (e.g. from a signal) and in-flight work is done
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace infera::serve {

struct HttpRequest {
  std::string method;
  std::string target;                          // path and query as sent
  std::string path;                            // without the query
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::shared_ptr<std::atomic<bool>> cancelled;  // true once the client has gone away

  // "" when absent.
  const std::string& header(const std::string& lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static HttpResponse json(int status, std::string body);
  static HttpResponse text(int status, std::string body, std::string content_type = "text/plain");
};

class HttpServer;

// Sends the answer to one request, from any thread, exactly once.
class Responder {
 public:
  Responder(HttpServer* server, uint64_t connection_id)
      : server_(server), connection_id_(connection_id) {}
  void send(HttpResponse response) const;

 private:
  HttpServer* server_;
  uint64_t connection_id_;
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;                      // 0: any free port
  size_t max_request_bytes = 64 << 20;  // head and body together
  int read_timeout_ms = 30000;          // from a request's first byte to its last
  int keep_alive_timeout_ms = 60000;    // idle connection between requests
  int shutdown_grace_ms = 30000;        // how long stop() waits for in-flight answers
};

using HttpHandler = std::function<void(HttpRequest request, Responder responder)>;
// Called after every answer is written: request line, status, body bytes, seconds taken.
using AccessLogger = std::function<void(const HttpRequest& request, const HttpResponse& response,
                                        double seconds, const std::string& peer)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler, AccessLogger logger = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; throws infera::Error naming the address when it cannot.
  void start();
  int port() const { return port_; }
  // Serves until stop() and the last in-flight answer is written (or the grace period ends).
  void run();
  // Safe from any thread and from a signal handler: stop accepting, finish in-flight, return.
  void stop();
  // Requests read but not yet answered.
  int in_flight() const { return in_flight_.load(); }

 private:
  friend class Responder;
  struct Connection;
  void post_response(uint64_t connection_id, HttpResponse response);
  void accept_connections();
  void on_readable(Connection& connection);
  void on_writable(Connection& connection);
  void try_parse_request(Connection& connection);
  void dispatch(Connection& connection);
  void deliver_posted_responses();
  void queue_response(Connection& connection, const HttpResponse& response);
  void fail_connection(Connection& connection, int status, const std::string& message);
  void close_connection(uint64_t connection_id);
  void expire_timeouts();
  void update_interest(Connection& connection);

  HttpServerOptions options_;
  HttpHandler handler_;
  AccessLogger logger_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: posted responses or stop()
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_flight_{0};
  uint64_t next_connection_id_ = 1;
  std::map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::mutex posted_mutex_;
  std::vector<std::pair<uint64_t, HttpResponse>> posted_;
};

}  // namespace infera::serve
