#include "serve/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "infera/error.h"
#include "serve/log.h"

namespace infera::serve {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr size_t kReadChunk = 64 * 1024;

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

}  // namespace

const std::string& HttpRequest::header(const std::string& lower_name) const {
  static const std::string kEmpty;
  auto it = headers.find(lower_name);
  return it == headers.end() ? kEmpty : it->second;
}

HttpResponse HttpResponse::json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::text(int status, std::string body, std::string content_type) {
  HttpResponse response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

void Responder::send(HttpResponse response) const {
  server_->post_response(connection_id_, std::move(response));
}

// One client socket and where its current request stands.
struct HttpServer::Connection {
  uint64_t id = 0;
  int fd = -1;
  std::string peer;
  std::string in;   // bytes read, not yet consumed
  std::string out;  // bytes to write
  size_t out_sent = 0;
  bool head_parsed = false;
  bool chunked = false;
  size_t body_length = 0;  // Content-Length
  size_t cursor = 0;       // chunked: where the next chunk's size line starts in `in`
  HttpRequest request;
  bool busy = false;  // dispatched, waiting for the handler's answer
  bool keep_alive = true;
  bool close_after_write = false;
  bool want_write = false;
  int64_t request_started_ms = 0;  // first byte of the request being read; 0 when idle
  int64_t last_activity_ms = 0;
  Clock::time_point dispatched_at;
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler, AccessLogger logger)
    : options_(std::move(options)), handler_(std::move(handler)), logger_(std::move(logger)) {}

HttpServer::~HttpServer() {
  for (auto& [id, connection] : connections_) ::close(connection->fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void HttpServer::start() {
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(options_.port));
  if (::inet_pton(AF_INET, options_.host.c_str(), &address.sin_addr) != 1)
    throw Error(ErrorKind::kInvalidArgument,
                "--host expects an IPv4 address, got '" + options_.host + "'");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 1024) != 0)
    throw Error(ErrorKind::kIo, "cannot listen on " + where + ": " + std::strerror(errno));
  socklen_t length = sizeof address;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = 0;  // connection ids start at 1: 0 is the listener
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &event);
  event.data.u64 = UINT64_MAX;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event);
}

void HttpServer::stop() {
  stopping_.store(true);
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t written = ::write(wake_fd_, &one, sizeof one);  // async-signal-safe
}

void HttpServer::post_response(uint64_t connection_id, HttpResponse response) {
  bool first = false;
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    first = posted_.empty();
    posted_.emplace_back(connection_id, std::move(response));
  }
  // One wake-up per batch of answers, not one write(2) each: the I/O thread reads the eventfd
  // before it takes the list, so answers posted to a non-empty list are always delivered.
  if (!first) return;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t written = ::write(wake_fd_, &one, sizeof one);
}

void HttpServer::run() {
  bool drained_listener = false;
  int64_t stop_deadline_ms = 0;
  epoll_event events[256];
  for (;;) {
    const int count = ::epoll_wait(epoll_fd_, events, 256, 1000);
    for (int i = 0; i < count; ++i) {
      const uint64_t key = events[i].data.u64;
      if (key == 0) {
        accept_connections();
      } else if (key == UINT64_MAX) {
        uint64_t value;
        [[maybe_unused]] ssize_t got = ::read(wake_fd_, &value, sizeof value);
        deliver_posted_responses();
      } else {
        auto it = connections_.find(key);
        if (it == connections_.end()) continue;
        Connection& connection = *it->second;
        if (events[i].events & EPOLLOUT) on_writable(connection);
        if (connections_.count(key) &&
            (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
          on_readable(connection);
      }
    }
    expire_timeouts();
    if (stopping_.load()) {
      if (!drained_listener) {
        drained_listener = true;
        stop_deadline_ms = now_ms() + options_.shutdown_grace_ms;
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        ::close(listen_fd_);
        listen_fd_ = -1;
      }
      // Idle connections go now; busy ones close after their answer is written.
      std::vector<uint64_t> idle;
      for (auto& [id, connection] : connections_) {
        connection->close_after_write = true;
        if (!connection->busy && connection->out.empty()) idle.push_back(id);
      }
      for (uint64_t id : idle) close_connection(id);
      if (connections_.empty() || now_ms() > stop_deadline_ms) return;
    }
  }
}

void HttpServer::accept_connections() {
  for (;;) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    const int one = 1;
    // Without it small answers wait for the peer's delayed ACK (~40 ms each).
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto connection = std::make_unique<Connection>();
    connection->id = next_connection_id_++;
    connection->fd = fd;
    char ip[INET_ADDRSTRLEN] = "";
    ::inet_ntop(AF_INET, &address.sin_addr, ip, sizeof ip);
    connection->peer = std::string(ip) + ":" + std::to_string(ntohs(address.sin_port));
    connection->last_activity_ms = now_ms();
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.u64 = connection->id;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
    connections_[connection->id] = std::move(connection);
  }
}

void HttpServer::on_readable(Connection& connection) {
  const uint64_t id = connection.id;
  char buffer[kReadChunk];
  for (;;) {
    const ssize_t got = ::recv(connection.fd, buffer, sizeof buffer, 0);
    if (got > 0) {
      connection.in.append(buffer, static_cast<size_t>(got));
      connection.last_activity_ms = now_ms();
      if (connection.request_started_ms == 0)
        connection.request_started_ms = connection.last_activity_ms;
      if (connection.in.size() > options_.max_request_bytes + kMaxHeadBytes) break;
      // A short read drained the socket: skip the recv that would only say EAGAIN (epoll is
      // level-triggered, so bytes or a close that arrive later are reported again).
      if (static_cast<size_t>(got) < sizeof buffer) break;
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    // The peer closed or the socket failed: anything it asked for is abandoned.
    if (connection.busy && connection.request.cancelled) connection.request.cancelled->store(true);
    close_connection(id);
    return;
  }
  try_parse_request(connection);
}

void HttpServer::try_parse_request(Connection& c) {
  if (c.busy || c.close_after_write) return;
  if (!c.head_parsed) {
    const size_t head_end = c.in.find("\r\n\r\n");
    if (head_end == std::string::npos) {
      if (c.in.size() > kMaxHeadBytes) fail_connection(c, 431, "request head over 64 KiB");
      return;
    }
    HttpRequest request;
    size_t line_end = c.in.find("\r\n");
    const std::string request_line = c.in.substr(0, line_end);
    const size_t space1 = request_line.find(' ');
    const size_t space2 = request_line.rfind(' ');
    if (space1 == std::string::npos || space2 == space1)
      return fail_connection(c, 400, "malformed request line '" + request_line + "'");
    request.method = request_line.substr(0, space1);
    request.target = request_line.substr(space1 + 1, space2 - space1 - 1);
    const std::string version = request_line.substr(space2 + 1);
    request.path = request.target.substr(0, request.target.find('?'));
    size_t pos = line_end + 2;
    while (pos < head_end) {
      line_end = c.in.find("\r\n", pos);
      const std::string line = c.in.substr(pos, line_end - pos);
      const size_t colon = line.find(':');
      if (colon == std::string::npos)
        return fail_connection(c, 400, "malformed header line '" + line + "'");
      request.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
      pos = line_end + 2;
    }
    c.in.erase(0, head_end + 4);
    const std::string connection_header = lower(request.header("connection"));
    c.keep_alive =
        version == "HTTP/1.1" ? connection_header != "close" : connection_header == "keep-alive";
    c.chunked = lower(request.header("transfer-encoding")).find("chunked") != std::string::npos;
    c.body_length = 0;
    c.cursor = 0;
    if (!c.chunked && !request.header("content-length").empty()) {
      char* end = nullptr;
      const unsigned long long length =
          std::strtoull(request.header("content-length").c_str(), &end, 10);
      if (*end != '\0') return fail_connection(c, 400, "Content-Length is not a number");
      c.body_length = static_cast<size_t>(length);
    }
    if (c.body_length > options_.max_request_bytes)
      return fail_connection(c, 413,
                             "request body of " + std::to_string(c.body_length) +
                                 " bytes is over the limit of " +
                                 std::to_string(options_.max_request_bytes));
    request.cancelled = std::make_shared<std::atomic<bool>>(false);
    c.request = std::move(request);
    c.head_parsed = true;
    if (lower(c.request.header("expect")) == "100-continue") {
      c.out += "HTTP/1.1 100 Continue\r\n\r\n";
      c.want_write = true;  // written when the socket is writable; closing here would pull c away
      update_interest(c);
    }
  }
  if (c.chunked) {
    // Each chunk: hex size line, data, CRLF; a zero-size chunk and optional trailers end it.
    for (;;) {
      const size_t line_end = c.in.find("\r\n", c.cursor);
      if (line_end == std::string::npos) return;
      char* end = nullptr;
      const unsigned long long size = std::strtoull(c.in.c_str() + c.cursor, &end, 16);
      if (end == c.in.c_str() + c.cursor) return fail_connection(c, 400, "malformed chunk size");
      if (size == 0) {
        const size_t trailers_end = c.in.find("\r\n\r\n", line_end);
        if (trailers_end == std::string::npos) return;
        c.in.erase(0, trailers_end + 4);
        break;
      }
      if (c.request.body.size() + size > options_.max_request_bytes)
        return fail_connection(c, 413,
                               "chunked request body is over the limit of " +
                                   std::to_string(options_.max_request_bytes) + " bytes");
      if (c.in.size() < line_end + 2 + size + 2) return;
      c.request.body.append(c.in, line_end + 2, size);
      c.cursor = line_end + 2 + size + 2;
    }
  } else {
    if (c.in.size() < c.body_length) return;
    c.request.body.assign(c.in, 0, c.body_length);
    c.in.erase(0, c.body_length);
  }
  dispatch(c);
}

void HttpServer::dispatch(Connection& c) {
  c.head_parsed = false;
  c.busy = true;
  c.request_started_ms = c.in.empty() ? 0 : now_ms();
  c.dispatched_at = Clock::now();
  in_flight_.fetch_add(1);
  HttpRequest request = std::move(c.request);
  // The connection keeps what the access log and cancellation need.
  c.request = HttpRequest{};
  c.request.method = request.method;
  c.request.path = request.path;
  c.request.cancelled = request.cancelled;
  handler_(std::move(request), Responder(this, c.id));
}

void HttpServer::deliver_posted_responses() {
  std::vector<std::pair<uint64_t, HttpResponse>> posted;
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    posted.swap(posted_);
  }
  for (auto& [id, response] : posted) {
    in_flight_.fetch_sub(1);
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;  // the client went away
    Connection& c = *it->second;
    c.busy = false;
    if (logger_)
      logger_(c.request, response,
              std::chrono::duration<double>(Clock::now() - c.dispatched_at).count(), c.peer);
    queue_response(c, response);
    if (connections_.count(id)) try_parse_request(c);  // a pipelined request may be waiting
  }
}

void HttpServer::queue_response(Connection& c, const HttpResponse& response) {
  if (!c.keep_alive || stopping_.load()) c.close_after_write = true;
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                     reason_phrase(response.status) + "\r\nContent-Type: " + response.content_type +
                     "\r\nContent-Length: " + std::to_string(response.body.size()) + "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  if (c.close_after_write) head += "Connection: close\r\n";
  head += "\r\n";
  c.out += head;
  c.out += response.body;
  on_writable(c);
}

void HttpServer::fail_connection(Connection& c, int status, const std::string& message) {
  c.close_after_write = true;
  HttpResponse response = HttpResponse::json(status, "{\"error\":" + json_quote(message) + "}");
  if (logger_) logger_(c.request, response, 0.0, c.peer);
  queue_response(c, response);
}

void HttpServer::on_writable(Connection& c) {
  while (c.out_sent < c.out.size()) {
    const ssize_t sent =
        ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
    if (sent > 0) {
      c.out_sent += static_cast<size_t>(sent);
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c.want_write) {
        c.want_write = true;
        update_interest(c);
      }
      return;
    }
    close_connection(c.id);
    return;
  }
  c.out.clear();
  c.out_sent = 0;
  if (c.want_write) {
    c.want_write = false;
    update_interest(c);
  }
  if (c.close_after_write && !c.busy) close_connection(c.id);
}

void HttpServer::update_interest(Connection& c) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | (c.want_write ? EPOLLOUT : 0u);
  event.data.u64 = c.id;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &event);
}

void HttpServer::close_connection(uint64_t connection_id) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second->fd, nullptr);
  ::close(it->second->fd);
  connections_.erase(it);
}

void HttpServer::expire_timeouts() {
  const int64_t now = now_ms();
  std::vector<uint64_t> idle;
  std::vector<Connection*> slow;
  for (auto& [id, c] : connections_) {
    if (c->busy || !c->out.empty()) continue;
    if (c->request_started_ms != 0 && now - c->request_started_ms > options_.read_timeout_ms)
      slow.push_back(c.get());
    else if (c->request_started_ms == 0 &&
             now - c->last_activity_ms > options_.keep_alive_timeout_ms)
      idle.push_back(id);
  }
  for (uint64_t id : idle) close_connection(id);
  for (Connection* c : slow)
    fail_connection(
        *c, 408, "request not received within " + std::to_string(options_.read_timeout_ms) + " ms");
}

}  // namespace infera::serve
