// The endpoints for people and simple clients, beside KServe v2:
//   GET  /                          the page (web/index.html, compiled in)
//   GET  /v1/models                 served models and whether /predict can take images
//   POST /v1/models/<m>/predict     an image upload (multipart/form-data with a file field, or
//                                   a raw body with an image Content-Type) through the model's
//                                   pipeline spec: label, confidence and top-k as JSON
// The image is decoded and preprocessed on the I/O thread, then queued on the model's
// dynamic batcher like any v2 request, so uploads batch with each other and with /v2 infer.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "serve/http_server.h"
#include "serve/served_model.h"

namespace infera::serve {

struct UploadedImage {
  std::string bytes;
  std::string description;  // "upload 'boot.png' (image/png, 312 bytes)" for error messages
};

// The image in a /predict body; throws ServeError (400 or 415) naming what came instead.
UploadedImage extract_uploaded_image(const HttpRequest& request);

void handle_predict(const std::shared_ptr<ServedModel>& model, const HttpRequest& request,
                    const Responder& responder);

HttpResponse models_listing(const std::vector<std::shared_ptr<ServedModel>>& models);

HttpResponse web_page();

}  // namespace infera::serve
