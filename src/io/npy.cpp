// The .npy layout (numpy/lib/format.py documents it): the magic "\x93NUMPY", a major and a
// minor version byte, the header length (uint16 in 1.0, uint32 in 2.0 and 3.0), then the
// header: a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a final '\n' so the data starts on a 64-byte boundary. The data
// follows, exactly numel * itemsize bytes.
#include "io/npy.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>

#include "infera/error.h"

namespace infera {
namespace {

static_assert(std::endian::native == std::endian::little,
              "npy I/O assumes a little-endian host; big-endian hosts need byte swaps on write");

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kVersion1PrefixBytes = 10;  // magic, 2 version bytes, uint16 header length
constexpr size_t kVersion2PrefixBytes = 12;  // magic, 2 version bytes, uint32 header length
// numpy itself refuses headers over 10 kB unless told otherwise; a larger one is an attack or
// garbage, and accepting it would let a tiny file make us allocate gigabytes.
constexpr size_t kMaxHeaderBytes = 1 << 20;

[[noreturn]] void fail(ErrorKind kind, const std::string& source, const std::string& problem) {
  throw Error(kind, "npy file '" + source + "': " + problem);
}

[[noreturn]] void fail_content(const std::string& source, const std::string& problem) {
  fail(ErrorKind::kInvalidArgument, source, problem);
}

// ---- dtype descriptors ('<f4', '|u1', ...) ----

struct ElementType {
  char kind;  // numpy's kind letter: 'b' bool, 'i' signed, 'u' unsigned, 'f' float, 'c' complex
  size_t bytes;
  DType dtype;
};

constexpr ElementType kElementTypes[] = {
    {'b', 1, DType::kBool},      {'i', 1, DType::kInt8},        {'i', 2, DType::kInt16},
    {'i', 4, DType::kInt32},     {'i', 8, DType::kInt64},       {'u', 1, DType::kUInt8},
    {'u', 2, DType::kUInt16},    {'u', 4, DType::kUInt32},      {'u', 8, DType::kUInt64},
    {'f', 2, DType::kFloat16},   {'f', 4, DType::kFloat32},     {'f', 8, DType::kFloat64},
    {'c', 8, DType::kComplex64}, {'c', 16, DType::kComplex128},
};

struct StoredType {
  DType dtype = DType::kUndefined;
  bool big_endian = false;
  size_t swap_unit = 1;  // bytes reversed together when swapping: a complex number's parts
};

[[noreturn]] void refuse_descr(const std::string& descr, const std::string& source,
                               const std::string& why) {
  fail_content(source, "dtype '" + descr + "' is not supported: " + why);
}

StoredType parse_descr(const std::string& descr, const std::string& source) {
  const auto refuse = [&](const std::string& why) { refuse_descr(descr, source, why); };
  if (descr.size() < 3 || std::string_view("<>|=").find(descr[0]) == std::string_view::npos)
    refuse("expected a byte order (<, >, |, =), a kind letter and an item size, like '<f4'");
  const char kind = descr[1];
  if (std::string_view("USOVMma").find(kind) != std::string_view::npos)
    refuse("only numeric and bool arrays can become tensors");
  const std::string size_text = descr.substr(2);
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (size_text.size() > 2 || !std::all_of(size_text.begin(), size_text.end(), is_digit))
    refuse("the item size is not a small number");
  const size_t bytes = std::stoul(size_text);
  for (const ElementType& type : kElementTypes) {
    if (type.kind != kind || type.bytes != bytes) continue;
    StoredType stored;
    stored.dtype = type.dtype;
    stored.big_endian = descr[0] == '>' && bytes > 1;
    stored.swap_unit = kind == 'c' ? bytes / 2 : bytes;
    return stored;
  }
  refuse_descr(descr, source, "no tensor dtype has this kind and size");
}

const char* descr_for(DType dtype) {
  switch (dtype) {
    case DType::kBool:
      return "|b1";
    case DType::kInt8:
      return "|i1";
    case DType::kInt16:
      return "<i2";
    case DType::kInt32:
      return "<i4";
    case DType::kInt64:
      return "<i8";
    case DType::kUInt8:
      return "|u1";
    case DType::kUInt16:
      return "<u2";
    case DType::kUInt32:
      return "<u4";
    case DType::kUInt64:
      return "<u8";
    case DType::kFloat16:
      return "<f2";
    case DType::kFloat32:
      return "<f4";
    case DType::kFloat64:
      return "<f8";
    case DType::kComplex64:
      return "<c8";
    case DType::kComplex128:
      return "<c16";
    default:
      return nullptr;
  }
}

// ---- the header dict ----

// Walks the Python dict literal that numpy writes. Only the grammar numpy produces is
// accepted: quoted strings, True/False, and tuples of non-negative integers.
class HeaderCursor {
 public:
  HeaderCursor(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  bool consume(char c) {
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!consume(c)) fail_here(std::string("'") + c + "'");
  }

  char peek() {
    skip_spaces();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  std::string read_quoted() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail_here("a quoted string");
    const size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail_here("a closing quote");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return value;
  }

  bool read_bool() {
    skip_spaces();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.substr(pos_).starts_with(word)) {
        pos_ += std::strlen(word);
        return value;
      }
    }
    fail_here("True or False");
  }

  Shape read_shape_tuple() {
    expect('(');
    Shape shape;
    while (!consume(')')) {
      shape.push_back(read_dimension());
      consume('L');  // numpy under Python 2 wrote longs as "3L"
      if (!consume(',')) {
        expect(')');
        break;
      }
    }
    return shape;
  }

  bool only_padding_left() {
    skip_spaces();
    return pos_ == text_.size();
  }

  [[noreturn]] void fail_here(const std::string& expected) {
    const std::string found = pos_ < text_.size() ? "'" + printable(text_.substr(pos_, 12)) + "'"
                                                  : "the end of the header";
    fail_content(source_, "malformed header at byte " + std::to_string(pos_) + ": expected " +
                              expected + ", found " + found + " in " + printable_excerpt());
  }

 private:
  // Corrupt headers hold arbitrary bytes; keep them out of messages that reach terminals.
  static std::string printable(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
      if (c < ' ' || c > '~') c = '?';
    }
    return out;
  }

  std::string printable_excerpt() const {
    constexpr size_t kMaxExcerpt = 120;
    return printable(text_.substr(0, kMaxExcerpt)) + (text_.size() > kMaxExcerpt ? "..." : "");
  }

  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  int64_t read_dimension() {
    skip_spaces();
    constexpr int64_t kMaxDim = int64_t{1} << 48;
    int64_t value = 0;
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      value = value * 10 + (text_[pos_] - '0');
      if (value > kMaxDim) fail_content(source_, "a dimension in the shape is absurdly large");
      ++pos_;
    }
    if (pos_ == start) fail_here("a non-negative integer dimension");
    return value;
  }

  std::string_view text_;
  const std::string& source_;
  size_t pos_ = 0;
};

struct ArrayHeader {
  StoredType type;
  Shape shape;
};

ArrayHeader parse_header_dict(std::string_view text, const std::string& source) {
  HeaderCursor cursor(text, source);
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<Shape> shape;
  cursor.expect('{');
  while (!cursor.consume('}')) {
    const std::string key = cursor.read_quoted();
    cursor.expect(':');
    if (key == "descr" && !descr) {
      if (cursor.peek() == '[')
        fail_content(source, "structured (record) dtypes are not supported");
      descr = cursor.read_quoted();
    } else if (key == "fortran_order" && !fortran_order) {
      fortran_order = cursor.read_bool();
    } else if (key == "shape" && !shape) {
      shape = cursor.read_shape_tuple();
    } else {
      fail_content(source, "unexpected or repeated key '" + key + "' in header");
    }
    if (!cursor.consume(',')) {
      cursor.expect('}');
      break;
    }
  }
  if (!cursor.only_padding_left()) cursor.fail_here("only padding after the header dict");
  if (!descr || !fortran_order || !shape)
    fail_content(source, "header lacks one of 'descr', 'fortran_order', 'shape'");
  // For rank 0 and 1 the two orders are the same bytes, and numpy may write either flag.
  if (*fortran_order && shape->size() > 1) {
    fail_content(source, "array of shape " + shape_to_string(*shape) +
                             " is stored in Fortran (column-major) order, which is not "
                             "supported; save np.ascontiguousarray(a) instead");
  }
  return ArrayHeader{parse_descr(*descr, source), std::move(*shape)};
}

// ---- preamble: magic, version, header length ----

struct Preamble {
  size_t prefix_bytes;
  size_t header_bytes;
};

uint32_t read_le(const uint8_t* bytes, size_t count) {
  uint32_t value = 0;
  for (size_t i = 0; i < count; ++i) value |= static_cast<uint32_t>(bytes[i]) << (8 * i);
  return value;
}

Preamble parse_preamble(const uint8_t* bytes, size_t available, const std::string& source) {
  if (available < kVersion1PrefixBytes || std::memcmp(bytes, kMagic.data(), kMagic.size()) != 0)
    fail_content(source, "not an npy file: it does not start with \\x93NUMPY");
  const int major = bytes[6];
  if (major < 1 || major > 3) {
    fail_content(source, "format version " + std::to_string(major) + "." +
                             std::to_string(bytes[7]) + " is not 1.0, 2.0 or 3.0");
  }
  const size_t prefix_bytes = major == 1 ? kVersion1PrefixBytes : kVersion2PrefixBytes;
  if (available < prefix_bytes) fail_content(source, "file ends inside the header length");
  const size_t header_bytes = read_le(bytes + 8, prefix_bytes - 8);
  if (header_bytes > kMaxHeaderBytes) {
    fail_content(source, "header claims " + std::to_string(header_bytes) + " bytes; more than " +
                             std::to_string(kMaxHeaderBytes) + " is refused as corrupt");
  }
  return Preamble{prefix_bytes, header_bytes};
}

// ---- the data ----

// Bytes the array needs, or an error if the shape is too large to be real.
size_t data_bytes_for(const ArrayHeader& header, const std::string& source) {
  constexpr uint64_t kMaxBytes = uint64_t{1} << 46;
  uint64_t bytes = dtype_size(header.type.dtype);
  for (int64_t dim : header.shape) {
    const auto d = static_cast<uint64_t>(dim);
    if (d != 0 && bytes > kMaxBytes / d)
      fail_content(source, "shape " + shape_to_string(header.shape) + " is absurdly large");
    bytes *= d;
  }
  return static_cast<size_t>(bytes);
}

void check_data_size(const ArrayHeader& header, size_t expected, size_t available,
                     const std::string& source) {
  if (expected == available) return;
  const std::string array = shape_to_string(header.shape) + " " + dtype_name(header.type.dtype);
  if (available < expected) {
    fail_content(source, "truncated: a " + array + " array needs " + std::to_string(expected) +
                             " bytes of data, the file has " + std::to_string(available));
  }
  fail_content(source, "has " + std::to_string(available - expected) +
                           " unexpected bytes after the data of a " + array + " array");
}

// Swaps big-endian data to host order and checks that bools are 0 or 1 (any other byte would
// be undefined behaviour when read as a C++ bool).
void finish_array(Tensor& tensor, const StoredType& type, const std::string& source) {
  auto* bytes = static_cast<uint8_t*>(tensor.raw());
  const size_t total = tensor.nbytes();
  if (type.big_endian) {
    for (size_t i = 0; i < total; i += type.swap_unit)
      std::reverse(bytes + i, bytes + i + type.swap_unit);
  }
  if (type.dtype == DType::kBool) {
    const auto* bad = std::find_if(bytes, bytes + total, [](uint8_t b) { return b > 1; });
    if (bad != bytes + total) {
      fail_content(source, "bool element " + std::to_string(bad - bytes) + " has byte value " +
                               std::to_string(*bad) + ", expected 0 or 1");
    }
  }
}

std::string header_for(const Tensor& tensor) {
  const char* descr = descr_for(tensor.dtype());
  if (descr == nullptr) {
    throw Error(ErrorKind::kInvalidArgument, std::string("cannot write a ") +
                                                 dtype_name(tensor.dtype()) +
                                                 " tensor as npy: numpy has no such dtype");
  }
  std::string shape = "(";
  for (size_t i = 0; i < tensor.shape().size(); ++i)
    shape += std::to_string(tensor.shape()[i]) + (i + 1 < tensor.shape().size() ? ", " : "");
  shape += tensor.rank() == 1 ? ",)" : ")";
  std::string dict =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const bool fits_version1 = dict.size() + 1 + kVersion1PrefixBytes + 64 <= 0xffff;
  const size_t prefix_bytes = fits_version1 ? kVersion1PrefixBytes : kVersion2PrefixBytes;
  const size_t header_bytes = (prefix_bytes + dict.size() + 1 + 63) / 64 * 64 - prefix_bytes;
  dict.resize(header_bytes - 1, ' ');
  dict += '\n';

  std::string out(kMagic);
  out += static_cast<char>(fits_version1 ? 1 : 2);
  out += '\0';
  for (size_t i = 0; i < prefix_bytes - 8; ++i) out += static_cast<char>(header_bytes >> (8 * i));
  return out + dict;
}

void check_writable(const Tensor& tensor) {
  if (!tensor.has_data())
    throw Error(ErrorKind::kInvalidArgument, "cannot write a tensor without data as npy");
}

}  // namespace

Tensor read_npy_from_memory(const void* bytes, size_t size, const std::string& source_name) {
  const auto* data = static_cast<const uint8_t*>(bytes);
  const Preamble preamble = parse_preamble(data, size, source_name);
  const size_t data_offset = preamble.prefix_bytes + preamble.header_bytes;
  if (size < data_offset) fail_content(source_name, "truncated inside the header");
  const ArrayHeader header = parse_header_dict(
      std::string_view(reinterpret_cast<const char*>(data) + preamble.prefix_bytes,
                       preamble.header_bytes),
      source_name);
  const size_t data_bytes = data_bytes_for(header, source_name);
  check_data_size(header, data_bytes, size - data_offset, source_name);
  Tensor tensor = Tensor::empty(header.type.dtype, header.shape);
  if (data_bytes) std::memcpy(tensor.raw(), data + data_offset, data_bytes);
  finish_array(tensor, header.type, source_name);
  return tensor;
}

namespace {

// Reads the preamble and header of the file `in` has open; `in` is left at the first data byte.
// Returns the header, the size of the data the header declares (checked against the file).
ArrayHeader open_npy_file(std::ifstream& in, const std::string& path, size_t file_bytes,
                          size_t& data_bytes) {
  uint8_t prefix[kVersion2PrefixBytes] = {};
  const size_t prefix_read = std::min<size_t>(file_bytes, sizeof(prefix));
  in.read(reinterpret_cast<char*>(prefix), static_cast<std::streamsize>(prefix_read));
  const Preamble preamble = parse_preamble(prefix, prefix_read, path);
  const size_t data_offset = preamble.prefix_bytes + preamble.header_bytes;
  if (file_bytes < data_offset) fail_content(path, "truncated inside the header");

  std::string header_text(preamble.header_bytes, '\0');
  in.seekg(static_cast<std::streamoff>(preamble.prefix_bytes));
  in.read(header_text.data(), static_cast<std::streamsize>(header_text.size()));
  ArrayHeader header = parse_header_dict(header_text, path);
  data_bytes = data_bytes_for(header, path);
  // Checked before allocating, so a corrupt shape cannot make us reserve gigabytes.
  check_data_size(header, data_bytes, file_bytes - data_offset, path);
  return header;
}

}  // namespace

Tensor read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorKind::kIo, path, std::string("cannot open: ") + std::strerror(errno));
  std::error_code error;
  const auto file_bytes = std::filesystem::file_size(path, error);
  if (error) {  // a pipe or device: no size up front, so read it all
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return read_npy_from_memory(bytes.data(), bytes.size(), path);
  }
  size_t data_bytes = 0;
  const ArrayHeader header = open_npy_file(in, path, file_bytes, data_bytes);
  Tensor tensor = Tensor::empty(header.type.dtype, header.shape);
  in.read(static_cast<char*>(tensor.raw()), static_cast<std::streamsize>(data_bytes));
  if (!in)
    fail(ErrorKind::kIo, path, "read failed after " + std::to_string(in.gcount()) + " bytes");
  finish_array(tensor, header.type, path);
  return tensor;
}

struct NpyRecordReader::State {
  std::ifstream in;
  StoredType type;
};

NpyRecordReader::NpyRecordReader(const std::string& path)
    : path_(path), state_(std::make_unique<State>()) {
  state_->in.open(path, std::ios::binary);
  if (!state_->in) fail(ErrorKind::kIo, path, std::string("cannot open: ") + std::strerror(errno));
  std::error_code error;
  const auto file_bytes = std::filesystem::file_size(path, error);
  if (error) fail(ErrorKind::kIo, path, "cannot find its size: " + error.message());
  size_t data_bytes = 0;
  const ArrayHeader header = open_npy_file(state_->in, path, file_bytes, data_bytes);
  if (header.shape.empty()) fail_content(path, "is a scalar; records need a first dimension");
  state_->type = header.type;
  shape_ = header.shape;
  record_bytes_ = shape_[0] ? data_bytes / static_cast<size_t>(shape_[0]) : 0;
}

NpyRecordReader::~NpyRecordReader() = default;

bool NpyRecordReader::next_batch(size_t max_records, Tensor& out) {
  const int64_t remaining = shape_[0] - records_read_;
  if (remaining == 0 || max_records == 0) return false;
  Shape batch_shape = shape_;
  batch_shape[0] =
      std::min<int64_t>(remaining, static_cast<int64_t>(std::min<size_t>(max_records, INT64_MAX)));
  Tensor batch = Tensor::empty(state_->type.dtype, batch_shape);
  const size_t bytes = static_cast<size_t>(batch_shape[0]) * record_bytes_;
  state_->in.read(static_cast<char*>(batch.raw()), static_cast<std::streamsize>(bytes));
  if (!state_->in)
    fail(ErrorKind::kIo, path_, "read failed at record " + std::to_string(records_read_));
  finish_array(batch, state_->type, path_);
  records_read_ += batch_shape[0];
  out = std::move(batch);
  return true;
}

std::string encode_npy(const Tensor& tensor) {
  check_writable(tensor);
  std::string out = header_for(tensor);
  if (tensor.nbytes()) out.append(static_cast<const char*>(tensor.raw()), tensor.nbytes());
  return out;
}

void write_npy(const std::string& path, const Tensor& tensor) {
  check_writable(tensor);
  const std::string header = header_for(tensor);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(ErrorKind::kIo, path, std::string("cannot create: ") + std::strerror(errno));
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(static_cast<const char*>(tensor.raw()), static_cast<std::streamsize>(tensor.nbytes()));
  out.close();
  if (!out) fail(ErrorKind::kIo, path, "write failed (disk full?)");
}

}  // namespace infera
