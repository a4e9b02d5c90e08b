#include "serve/predict_endpoint.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "infera/error.h"
#include "infera/pipeline.h"
#include "serve/kserve_codec.h"

extern const char kWebPageHtml[];
extern const std::size_t kWebPageHtml_size;

namespace infera::serve {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// "multipart/form-data" from "Multipart/Form-Data; boundary=x".
std::string media_type(const std::string& content_type) {
  return lower(trim(content_type.substr(0, content_type.find(';'))));
}

// The value of `name` in a header such as `form-data; name="file"; filename="a b.png"`.
std::string header_parameter(const std::string& header, const std::string& name) {
  size_t at = 0;
  while ((at = header.find(';', at)) != std::string::npos) {
    ++at;
    const size_t equals = header.find('=', at);
    if (equals == std::string::npos) return "";
    if (lower(trim(header.substr(at, equals - at))) != name) continue;
    size_t begin = equals + 1;
    while (begin < header.size() && header[begin] == ' ') ++begin;
    if (begin < header.size() && header[begin] == '"') {
      const size_t end = header.find('"', begin + 1);
      return header.substr(begin + 1, end == std::string::npos ? end : end - begin - 1);
    }
    return trim(header.substr(begin, header.find(';', begin) - begin));
  }
  return "";
}

std::string describe(const std::string& what, const std::string& content_type, size_t size) {
  return what + " (" + (content_type.empty() ? "no Content-Type" : content_type) + ", " +
         std::to_string(size) + " bytes)";
}

// The first bytes, printable ones as they are: enough to see "<html" or "{\"inputs\"".
std::string leading_bytes(const std::string& bytes) {
  std::string out;
  for (size_t i = 0; i < std::min<size_t>(bytes.size(), 12); ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    }
  }
  return out;
}

struct FormPart {
  std::string name, filename, content_type, body;
};

std::vector<FormPart> parse_multipart(const std::string& body, const std::string& boundary) {
  const std::string delimiter = "--" + boundary;
  std::vector<FormPart> parts;
  size_t at = body.find(delimiter);
  if (at == std::string::npos)
    throw ServeError(400, "the multipart body has no boundary line '" + delimiter + "'");
  for (;;) {
    at += delimiter.size();
    if (body.compare(at, 2, "--") == 0) return parts;  // the closing delimiter
    const size_t head_begin = body.find("\r\n", at);
    const size_t head_end = body.find("\r\n\r\n", at);
    if (head_begin == std::string::npos || head_end == std::string::npos)
      throw ServeError(400, "a multipart part has no blank line after its headers");
    FormPart part;
    size_t line = head_begin + 2;
    while (line < head_end + 2) {
      const size_t line_end = body.find("\r\n", line);
      const std::string header = body.substr(line, line_end - line);
      const size_t colon = header.find(':');
      const std::string name = lower(trim(header.substr(0, colon)));
      const std::string value = colon == std::string::npos ? "" : trim(header.substr(colon + 1));
      if (name == "content-disposition") {
        part.name = header_parameter(value, "name");
        part.filename = header_parameter(value, "filename");
      } else if (name == "content-type") {
        part.content_type = value;
      }
      line = line_end + 2;
    }
    const size_t content_begin = head_end + 4;
    const size_t content_end = body.find("\r\n" + delimiter, content_begin);
    if (content_end == std::string::npos)
      throw ServeError(400,
                       "the multipart body ends before its closing boundary '" + delimiter + "--'");
    part.body = body.substr(content_begin, content_end - content_begin);
    parts.push_back(std::move(part));
    at = content_end + 2;
  }
}

nlohmann::json scored_json(const std::vector<ScoredLabel>& entries) {
  nlohmann::json out = nlohmann::json::array();
  for (const ScoredLabel& s : entries)
    out.push_back({{"label", s.label}, {"index", s.index}, {"probability", s.probability}});
  return out;
}

double ms_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace

UploadedImage extract_uploaded_image(const HttpRequest& request) {
  const std::string& content_type = request.header("content-type");
  const std::string type = media_type(content_type);
  if (type == "multipart/form-data") {
    const std::string boundary = header_parameter(content_type, "boundary");
    if (boundary.empty())
      throw ServeError(400, "Content-Type multipart/form-data needs a boundary parameter");
    const std::vector<FormPart> parts = parse_multipart(request.body, boundary);
    auto chosen = std::find_if(parts.begin(), parts.end(),
                               [](const FormPart& p) { return !p.filename.empty(); });
    if (chosen == parts.end())
      chosen = std::find_if(parts.begin(), parts.end(), [](const FormPart& p) {
        return p.name == "file" || p.name == "image";
      });
    if (chosen == parts.end()) {
      std::string names;
      for (const FormPart& p : parts) names += (names.empty() ? "'" : ", '") + p.name + "'";
      throw ServeError(400,
                       "the form has no file field (an <input type=file>, or a field named "
                       "'file' or 'image'); its fields: " +
                           (names.empty() ? std::string("none") : names));
    }
    const std::string name = chosen->filename.empty() ? chosen->name : chosen->filename;
    return {chosen->body,
            describe("file '" + name + "'", chosen->content_type, chosen->body.size())};
  }
  if (type == "application/json" || type.rfind("text/", 0) == 0)
    throw ServeError(415,
                     "POST the image itself (Content-Type image/png, image/jpeg, ...) or a "
                     "multipart/form-data upload, not " +
                         content_type + "; tensors go to /v2/models/<model>/infer");
  return {request.body, describe("body", content_type, request.body.size())};
}

void handle_predict(const std::shared_ptr<ServedModel>& model, const HttpRequest& request,
                    const Responder& responder) {
  if (!model->image_pipeline())
    return responder.send(error_response(400, model->image_pipeline_problem()));
  const PipelineSpec& spec = *model->image_pipeline();
  const auto received = SteadyClock::now();
  Image decoded;
  InferenceJob job;
  try {
    const UploadedImage upload = extract_uploaded_image(request);
    if (upload.bytes.empty()) throw ServeError(400, "the " + upload.description + " is empty");
    try {
      decoded = decode_image(reinterpret_cast<const uint8_t*>(upload.bytes.data()),
                             upload.bytes.size(), "the upload");
    } catch (const Error& e) {
      throw ServeError(
          400, "the " + upload.description + ", starting \"" + leading_bytes(upload.bytes) +
                   "\", is not an image infera can read (PNG, JPEG, PGM/PPM, BMP): " + e.what());
    }
    const Image ready = preprocess_image(decoded, spec);
    // A model whose batch dimension is fixed gets exactly that many rows, as Pipeline does.
    const TensorInfo& input = model->session().inputs()[0];
    const size_t copies =
        input.has_shape && !input.shape.empty() && input.shape[0] > 1 ? input.shape[0] : 1;
    job.inputs.push_back(
        images_to_tensor(std::vector<Image>(copies, ready), pipeline_tensor_options(spec)));
  } catch (const ServeError& e) {
    return responder.send(error_response(e.status(), e.what()));
  } catch (const Error& e) {
    return responder.send(error_response(e.kind() == ErrorKind::kInternal ? 500 : 400, e.what()));
  }
  const auto preprocessed = SteadyClock::now();
  job.rows = model->batchable() ? job.inputs[0].dim(0) : 1;
  job.enqueued = preprocessed;
  job.deadline = job.enqueued + std::chrono::milliseconds(model->config().timeout_ms);
  job.cancelled = request.cancelled;
  const Shape input_shape = job.inputs[0].shape();
  const nlohmann::json image = {
      {"width", decoded.width}, {"height", decoded.height}, {"channels", decoded.channels}};
  // The callback holds the model version (and so `spec`) alive until the answer is written.
  job.done = [model, responder, received, preprocessed, image,
              input_shape](InferenceResult result) {
    if (!result.error.empty()) return responder.send(error_response(result.status, result.error));
    const auto inferred = SteadyClock::now();
    const Tensor& output = result.outputs.at(0);
    if (output.dtype() != DType::kFloat32 || output.numel() == 0)
      return responder.send(error_response(
          500, "model '" + model->name() + "' answered " + dtype_name(output.dtype()) + " with " +
                   std::to_string(output.numel()) + " values; the pipeline reads float32 scores"));
    const int64_t rows = output.rank() == 0 ? 1 : output.dim(0);
    const Prediction p =
        postprocess_row(output.data<float>(), output.numel() / std::max<int64_t>(rows, 1),
                        *model->image_pipeline());
    nlohmann::json answer = {
        {"model_name", model->name()},
        {"model_version", model->version()},
        {"label", p.label},
        {"index", p.index},
        {"confidence", p.confidence},
        {"top_k", scored_json(p.top_k)},
        {"image", image},
        {"input_shape", std::vector<int64_t>(input_shape.begin(), input_shape.end())},
        {"timings_ms",
         {{"decode_and_preprocess", ms_between(received, preprocessed)},
          {"queue_and_inference", ms_between(preprocessed, inferred)},
          {"postprocess", ms_between(inferred, SteadyClock::now())}}}};
    if (!p.positives.empty()) answer["positives"] = scored_json(p.positives);
    if (!p.values.empty()) answer["values"] = p.values;
    responder.send(HttpResponse::json(200, answer.dump()));
  };
  if (!model->batcher().submit(job))
    responder.send(error_response(503, "model '" + model->name() +
                                           "' is not accepting requests: its queue is full or it "
                                           "is shutting down"));
}

HttpResponse models_listing(const std::vector<std::shared_ptr<ServedModel>>& models) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& model : models) {
    nlohmann::json entry = {{"name", model->name()}, {"version", model->version()}};
    if (const auto& spec = model->image_pipeline()) {
      entry["pipeline"] = {{"width", spec->width},
                           {"height", spec->height},
                           {"channels", spec->channels},
                           {"top_k", spec->top_k},
                           {"labels", spec->labels}};
    } else {
      entry["pipeline"] = nullptr;
      entry["problem"] = model->image_pipeline_problem();
    }
    out.push_back(std::move(entry));
  }
  return HttpResponse::json(200, nlohmann::json{{"models", out}}.dump());
}

HttpResponse web_page() {
  HttpResponse response = HttpResponse::text(200, std::string(kWebPageHtml, kWebPageHtml_size),
                                             "text/html; charset=utf-8");
  // Everything is inline; nothing else may load (and no page can frame it).
  response.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
      "img-src data: blob:; connect-src 'self'; frame-ancestors 'none'");
  return response;
}

}  // namespace infera::serve
