// Runs the official ONNX backend tests (Debian libonnx-testdata) through the public Session API.
//
// Each test is a folder with model.onnx and test_data_set_N/{input,output}_K.pb. Every test
// runs in a forked child, so a crash or hang in one kernel is reported as that test's failure
// instead of ending the run. Outputs are compared with the backend tests' tolerance
// (rtol 1e-3, atol 1e-5; NaN equals NaN; integers, bools and strings exactly).
//
// With --expected FILE, every test listed there must pass or the run exits 1; tests that pass
// but are not listed are reported so the list can be extended.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "infera/infera.h"
#include "onnx/onnx_reader.h"
#include "ops/dispatch.h"

namespace fs = std::filesystem;
using namespace infera;

namespace {

struct Options {
  std::string data_dir = "/usr/share/libonnx-testdata/data";
  std::vector<std::string> suites = {"node", "simple", "pytorch-converted", "pytorch-operator"};
  std::string filter;
  std::string expected_file;
  std::string write_passing;
  bool verbose = false;
  int timeout_s = 60;
};

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-5;

// ---- comparison ----

std::string compare_tensor(const Tensor& want, const Tensor& got, const std::string& what) {
  if (want.dtype() != got.dtype())
    return what + ": dtype " + dtype_name(got.dtype()) + ", expected " + dtype_name(want.dtype());
  if (want.shape() != got.shape())
    return what + ": shape " + shape_to_string(got.shape()) + ", expected " +
           shape_to_string(want.shape());
  const int64_t n = want.numel();
  if (want.dtype() == DType::kString) {
    for (int64_t i = 0; i < n; ++i)
      if (want.data<std::string>()[i] != got.data<std::string>()[i])
        return what + "[" + std::to_string(i) + "]: '" + got.data<std::string>()[i] +
               "', expected '" + want.data<std::string>()[i] + "'";
    return "";
  }
  if (want.dtype() == DType::kBool) {
    for (int64_t i = 0; i < n; ++i)
      if (want.data<bool>()[i] != got.data<bool>()[i])
        return what + "[" + std::to_string(i) + "] differs (bool)";
    return "";
  }
  const bool is_float = want.dtype() == DType::kFloat32 || want.dtype() == DType::kFloat64 ||
                        want.dtype() == DType::kFloat16 || want.dtype() == DType::kBFloat16;
  std::string message;
  dispatch_numeric(want.dtype(), [&]<typename T>() {
    const T* w = want.data<T>();
    const T* g = got.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if (is_float) {
        const double a = static_cast<double>(static_cast<float>(w[i]));
        const double b = static_cast<double>(static_cast<float>(g[i]));
        const double wd = std::is_same_v<T, double> ? static_cast<double>(w[i]) : a;
        const double gd = std::is_same_v<T, double> ? static_cast<double>(g[i]) : b;
        if (std::isnan(wd) && std::isnan(gd)) continue;
        if (std::isinf(wd) && wd == gd) continue;
        if (!(std::fabs(wd - gd) <= kAtol + kRtol * std::fabs(wd))) {
          message = what + "[" + std::to_string(i) + "]: " + std::to_string(gd) + ", expected " +
                    std::to_string(wd);
          return;
        }
      } else if (!(w[i] == g[i])) {
        message = what + "[" + std::to_string(i) + "]: " +
                  std::to_string(static_cast<long long>(g[i])) + ", expected " +
                  std::to_string(static_cast<long long>(w[i]));
        return;
      }
    }
  });
  return message;
}

std::string compare_value(const Value& want, const Value& got, const std::string& what) {
  if (want.kind != got.kind) return what + ": kind differs (" + std::to_string(int(got.kind)) + " vs expected " + std::to_string(int(want.kind)) + ")";
  if (want.is_tensor()) return compare_tensor(want.tensor, got.tensor, what);
  if (want.is_sequence()) {
    if (want.sequence.size() != got.sequence.size())
      return what + ": sequence of " + std::to_string(got.sequence.size()) + ", expected " +
             std::to_string(want.sequence.size());
    for (size_t i = 0; i < want.sequence.size(); ++i) {
      std::string m = compare_tensor(want.sequence[i], got.sequence[i],
                                     what + "{" + std::to_string(i) + "}");
      if (!m.empty()) return m;
    }
  }
  return "";
}

// The test files store bfloat16 data as uint16: view it as the bfloat16 the graph declares.
Value as_declared(Value v, const TypeInfo& declared) {
  if (v.is_tensor() && v.tensor.dtype() == DType::kUInt16 &&
      declared.kind == TypeInfo::Kind::kTensor && declared.elem_type == DType::kBFloat16) {
    const Tensor& t = v.tensor;
    return Value(Tensor(DType::kBFloat16, t.shape(), const_cast<void*>(t.raw()), t.keep_alive()));
  }
  return v;
}

// ---- one test, run in a child process ----

// Returns "" on pass, else "fail: ..." / "error: ..." / "unsupported: ...".
std::string run_one_test(const fs::path& dir) {
  const std::string model_path = (dir / "model.onnx").string();
  std::shared_ptr<Model> model;
  try {
    model = read_onnx_model(model_path);
  } catch (const Error& e) {
    return std::string("error: ") + e.what();
  }
  std::optional<Session> session;
  try {
    session.emplace(Session::load(model_path));
  } catch (const Error& e) {
    return std::string(e.kind() == ErrorKind::kUnsupported ? "unsupported: " : "error: ") +
           e.what();
  }
  // Inputs are fed by position among the graph inputs that are not initializers.
  std::set<std::string> initializer_names;
  for (const Initializer& i : model->graph->initializers) initializer_names.insert(i.name);
  std::vector<const ValueInfo*> fed_inputs;
  for (const ValueInfo& vi : model->graph->inputs)
    if (!initializer_names.count(vi.name)) fed_inputs.push_back(&vi);

  std::vector<fs::path> sets;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(entry.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return "error: no test_data_set_* folder";

  for (const fs::path& set : sets) {
    try {
      std::vector<Value> inputs;
      for (size_t k = 0;; ++k) {
        const fs::path p = set / ("input_" + std::to_string(k) + ".pb");
        if (!fs::exists(p)) break;
        if (k >= fed_inputs.size()) return "error: more input files than graph inputs";
        inputs.push_back(as_declared(read_value_file(p.string(), fed_inputs[k]->type),
                                     fed_inputs[k]->type));
      }
      // Optional inputs may be absent from the test data: feed them as empty optionals.
      while (inputs.size() < fed_inputs.size()) inputs.push_back(Value::none());
      std::vector<Value> outputs = session->run_values(inputs);
      for (size_t k = 0; k < model->graph->outputs.size(); ++k) {
        const fs::path p = set / ("output_" + std::to_string(k) + ".pb");
        if (!fs::exists(p)) continue;
        Value want = as_declared(read_value_file(p.string(), model->graph->outputs[k].type),
                                 model->graph->outputs[k].type);
        std::string m = compare_value(want, outputs[k], "output '" + model->graph->outputs[k].name + "'");
        if (!m.empty()) return "fail: " + set.filename().string() + ": " + m;
      }
    } catch (const Error& e) {
      return std::string(e.kind() == ErrorKind::kUnsupported ? "unsupported: " : "error: ") +
             e.what();
    } catch (const std::exception& e) {
      return std::string("error: ") + e.what();
    }
  }
  return "";
}

// Forks so that a crash or hang becomes a reported failure.
std::string run_isolated(const fs::path& dir, int timeout_s) {
  int fds[2];
  if (pipe(fds) != 0) return "error: pipe failed";
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(static_cast<unsigned>(timeout_s));
    std::string result = run_one_test(dir);
    if (result.size() > 2000) result.resize(2000);
    (void)!write(fds[1], result.data(), result.size());
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string result;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) result.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return sig == SIGALRM ? "error: timed out after " + std::to_string(timeout_s) + " s"
                          : std::string("crash: signal ") + strsignal(sig);
  }
  return result;
}

std::vector<std::string> ops_of(const fs::path& model_path) {
  std::vector<std::string> ops;
  try {
    auto model = read_onnx_model(model_path.string());
    std::set<std::string> seen;
    for (const Node& n : model->graph->nodes)
      seen.insert((n.domain.empty() || n.domain == "ai.onnx" ? "" : n.domain + ".") + n.op_type);
    ops.assign(seen.begin(), seen.end());
  } catch (const Error&) {
    ops.push_back("(unreadable)");
  }
  return ops;
}

std::string outcome_of(const std::string& result) {
  if (result.empty()) return "pass";
  return result.substr(0, result.find(':'));
}

int usage() {
  std::cerr << "usage: infera_conformance [--data DIR] [--suite NAME]... [--filter SUBSTR]\n"
               "         [--expected FILE] [--write-passing FILE] [--timeout S] [--verbose]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  std::vector<std::string> suites;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--data") opt.data_dir = next();
    else if (a == "--suite") suites.push_back(next());
    else if (a == "--filter") opt.filter = next();
    else if (a == "--expected") opt.expected_file = next();
    else if (a == "--write-passing") opt.write_passing = next();
    else if (a == "--timeout") opt.timeout_s = std::stoi(next());
    else if (a == "--verbose" || a == "-v") opt.verbose = true;
    else return usage();
  }
  if (!suites.empty()) opt.suites = suites;

  std::set<std::string> expected;
  if (!opt.expected_file.empty()) {
    std::ifstream in(opt.expected_file);
    if (!in) {
      std::cerr << "cannot read " << opt.expected_file << "\n";
      return 2;
    }
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] != '#') expected.insert(line);
  }

  std::map<std::string, std::map<std::string, int>> by_suite;  // suite -> outcome -> count
  std::map<std::string, std::pair<int, int>> by_op;            // op -> (passed, total)
  std::vector<std::string> passing, regressions, new_passes;
  int expected_ran = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& suite : opt.suites) {
    const fs::path root = fs::path(opt.data_dir) / suite;
    if (!fs::is_directory(root)) {
      std::cerr << "missing test suite folder " << root << "\n";
      return 2;
    }
    std::vector<fs::path> tests;
    for (const auto& e : fs::directory_iterator(root))
      if (fs::exists(e.path() / "model.onnx")) tests.push_back(e.path());
    std::sort(tests.begin(), tests.end());
    for (const fs::path& t : tests) {
      const std::string id = suite + "/" + t.filename().string();
      if (!opt.filter.empty() && id.find(opt.filter) == std::string::npos) continue;
      const std::string result = run_isolated(t, opt.timeout_s);
      const std::string outcome = outcome_of(result);
      ++by_suite[suite][outcome];
      for (const std::string& op : ops_of(t / "model.onnx")) {
        by_op[op].second++;
        if (result.empty()) by_op[op].first++;
      }
      if (expected.count(id)) ++expected_ran;
      if (result.empty()) {
        passing.push_back(id);
        if (!expected.empty() && !expected.count(id)) new_passes.push_back(id);
      } else if (expected.count(id)) {
        regressions.push_back(id + ": " + result);
      }
      if (opt.verbose || !result.empty())
        std::cout << (result.empty() ? "PASS " : "FAIL ") << id
                  << (result.empty() ? "" : "  " + result) << "\n";
    }
  }

  std::cout << "\n== per op (passed/total tests using it) ==\n";
  for (const auto& [op, pt] : by_op)
    if (pt.first != pt.second) std::cout << "  " << op << " " << pt.first << "/" << pt.second << "\n";
  std::cout << "\n== per suite ==\n";
  int total_pass = 0, total = 0;
  for (const auto& [suite, outcomes] : by_suite) {
    int n = 0;
    for (const auto& [o, c] : outcomes) n += c;
    std::cout << "  " << suite << ": " << n << " tests";
    for (const auto& [o, c] : outcomes) std::cout << ", " << c << " " << o;
    std::cout << "\n";
    total += n;
    total_pass += outcomes.count("pass") ? outcomes.at("pass") : 0;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "  total: " << total_pass << " of " << total << " passed in " << secs << " s\n";

  if (!opt.write_passing.empty()) {
    std::ofstream out(opt.write_passing);
    out << "# ONNX backend tests that must pass (suite/test); regenerate with\n"
           "# build/infera_conformance --write-passing tests/conformance/expected_pass.txt\n";
    for (const std::string& id : passing) out << id << "\n";
  }
  if (!new_passes.empty()) {
    std::cout << "\n" << new_passes.size() << " test(s) pass but are not in the expected list:\n";
    for (const std::string& id : new_passes) std::cout << "  " << id << "\n";
  }
  if (!regressions.empty()) {
    std::cout << "\n" << regressions.size() << " expected test(s) did not pass:\n";
    for (const std::string& r : regressions) std::cout << "  " << r << "\n";
  }
  // The plain closing line CI reads.
  const int failed = static_cast<int>(regressions.size());
  std::cout << "conformance: " << (expected_ran - failed) << " passed, "
            << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
