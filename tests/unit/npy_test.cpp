// The fixtures under tests/fixtures/npy/ were written by numpy
// (tests/fixtures/make_npy_fixtures.py); corrupt inputs are built here byte by byte.
#include "io/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <complex>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "infera/error.h"
#include "infera/tensor.h"

namespace infera {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(__FILE__).parent_path().parent_path() / "fixtures" / "npy";
const std::vector<double> kValues = {0, 1, 2, 3, 100, 127};
const std::vector<double> kSignedValues = {0, -1, 2, -3, 100, -128};

std::string fixture(const std::string& name) {
  return (kFixtures / (name + ".npy")).string();
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Element `i` as a double; the real part for complex dtypes.
double element(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::kBool:
      return t.data<bool>()[i];
    case DType::kUInt8:
      return t.data<uint8_t>()[i];
    case DType::kUInt16:
      return t.data<uint16_t>()[i];
    case DType::kUInt32:
      return t.data<uint32_t>()[i];
    case DType::kUInt64:
      return static_cast<double>(t.data<uint64_t>()[i]);
    case DType::kInt8:
      return t.data<int8_t>()[i];
    case DType::kInt16:
      return t.data<int16_t>()[i];
    case DType::kInt32:
      return t.data<int32_t>()[i];
    case DType::kInt64:
      return static_cast<double>(t.data<int64_t>()[i]);
    case DType::kFloat16:
      return half_to_float(t.data<uint16_t>()[i]);
    case DType::kFloat32:
      return t.data<float>()[i];
    case DType::kFloat64:
      return t.data<double>()[i];
    case DType::kComplex64:
      return t.data<std::complex<float>>()[i].real();
    case DType::kComplex128:
      return t.data<std::complex<double>>()[i].real();
    default:
      ADD_FAILURE() << "unexpected dtype";
      return 0;
  }
}

void expect_values(const Tensor& t, const std::vector<double>& expected, const std::string& what) {
  ASSERT_EQ(t.numel(), static_cast<int64_t>(expected.size())) << what;
  for (int64_t i = 0; i < t.numel(); ++i)
    EXPECT_EQ(element(t, i), expected[i]) << what << " [" << i << "]";
}

struct DtypeCase {
  const char* suffix;
  DType dtype;
};

const DtypeCase kEveryDtype[] = {
    {"u1", DType::kUInt8},       {"u2", DType::kUInt16},  {"u4", DType::kUInt32},
    {"u8", DType::kUInt64},      {"i1", DType::kInt8},    {"i2", DType::kInt16},
    {"i4", DType::kInt32},       {"i8", DType::kInt64},   {"f2", DType::kFloat16},
    {"f4", DType::kFloat32},     {"f8", DType::kFloat64}, {"c8", DType::kComplex64},
    {"c16", DType::kComplex128},
};

// A .npy file with the given header dict, padded the way numpy pads it.
std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  header.resize((prefix + header.size() + 1 + 63) / 64 * 64 - prefix - 1, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < prefix - 8; ++i) out += static_cast<char>(header.size() >> (8 * i));
  return out + header + data;
}

const std::string kGoodDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
const std::string kEightBytes(8, '\0');

Tensor from_memory(const std::string& bytes) {
  return read_npy_from_memory(bytes.data(), bytes.size(), "test.npy");
}

// Expects read_npy_from_memory to refuse `bytes` with a message containing `needle`.
void expect_refused(const std::string& bytes, const std::string& needle) {
  try {
    from_memory(bytes);
    ADD_FAILURE() << "accepted bytes that should mention: " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("test.npy"), std::string::npos) << e.what();
  }
}

TEST(Npy, ReadsEveryDtypeNumpyWrites) {
  for (const DtypeCase& c : kEveryDtype) {
    const Tensor t = read_npy(fixture(std::string("every_dtype_") + c.suffix));
    EXPECT_EQ(t.dtype(), c.dtype) << c.suffix;
    EXPECT_EQ(t.shape(), (Shape{2, 3})) << c.suffix;
    expect_values(t, kValues, c.suffix);
  }
  for (const char* suffix : {"i1", "i2", "i4", "i8", "f4"})
    expect_values(read_npy(fixture(std::string("signed_") + suffix)), kSignedValues, suffix);
  expect_values(read_npy(fixture("bool_2x3")), {1, 0, 1, 1, 0, 0}, "bool");
}

TEST(Npy, ComplexKeepsRealImaginaryOrder) {
  const Tensor t = read_npy(fixture("complex64_parts"));
  const auto* parts = t.data<float>();
  EXPECT_EQ((std::vector<float>(parts, parts + 4)), (std::vector<float>{1.5f, -2.f, -0.25f, 4.f}));
}

TEST(Npy, SwapsBigEndianData) {
  expect_values(read_npy(fixture("big_endian_f4")), kValues, ">f4");
  expect_values(read_npy(fixture("big_endian_i8")), kSignedValues, ">i8");
  const Tensor c = read_npy(fixture("big_endian_c8"));
  const auto* parts = c.data<float>();
  EXPECT_EQ((std::vector<float>(parts, parts + 4)), (std::vector<float>{1.5f, -2.f, -0.25f, 4.f}));
}

TEST(Npy, ReadsScalarEmptyAndRank4) {
  const Tensor scalar = read_npy(fixture("scalar_f8"));
  EXPECT_EQ(scalar.shape(), Shape{});
  EXPECT_EQ(*scalar.data<double>(), 3.5);
  EXPECT_EQ(read_npy(fixture("empty_0x3_f4")).shape(), (Shape{0, 3}));
  const Tensor rank4 = read_npy(fixture("rank4_f4"));
  ASSERT_EQ(rank4.shape(), (Shape{2, 3, 4, 5}));
  for (int64_t i = 0; i < rank4.numel(); ++i) EXPECT_EQ(rank4.data<float>()[i], float(i) / 7.f);
}

TEST(Npy, ReadsFormatVersions2And3) {
  expect_values(read_npy(fixture("version2_f4")), kValues, "2.0");
  expect_values(read_npy(fixture("version3_f4")), kValues, "3.0");
}

// Byte-for-byte equal to numpy's own files: the strongest evidence numpy reads ours.
TEST(Npy, EncodesExactlyAsNumpyDoes) {
  std::vector<std::string> names = {"bool_2x3", "scalar_f8", "empty_0x3_f4", "rank4_f4"};
  for (const DtypeCase& c : kEveryDtype) names.push_back(std::string("every_dtype_") + c.suffix);
  for (const std::string& name : names)
    EXPECT_EQ(encode_npy(read_npy(fixture(name))), file_bytes(fixture(name))) << name;
}

TEST(Npy, WriteThenReadRoundTripsEveryDtype) {
  const fs::path dir = fs::temp_directory_path() / ("infera_npy_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  for (const DtypeCase& c : kEveryDtype) {
    const Tensor original = read_npy(fixture(std::string("every_dtype_") + c.suffix));
    const std::string path = (dir / (std::string(c.suffix) + ".npy")).string();
    write_npy(path, original);
    const Tensor back = read_npy(path);
    EXPECT_EQ(back.dtype(), original.dtype());
    EXPECT_EQ(back.shape(), original.shape());
    EXPECT_EQ(std::memcmp(back.raw(), original.raw(), original.nbytes()), 0) << c.suffix;
    EXPECT_EQ((file_bytes(path).size() - original.nbytes()) % 64, 0u) << "data starts 64-aligned";
  }
  fs::remove_all(dir);
}

TEST(Npy, LargeHeaderSwitchesToVersion2) {
  Shape many_ones(25000, 1);  // "1, " x 25000 does not fit a uint16 header length
  const std::string bytes = encode_npy(Tensor::empty(DType::kFloat32, many_ones));
  EXPECT_EQ(bytes[6], 2);
  EXPECT_EQ(from_memory(bytes).shape(), many_ones);
}

TEST(Npy, RefusesWhatIsNotANumericCOrderArray) {
  const std::pair<const char*, const char*> cases[] = {
      {"fortran_2x3_f4", "Fortran"},
      {"unicode_strings", "<U3"},
      {"structured", "structured"},
      {"object", "|O"},
  };
  for (const auto& [name, needle] : cases) {
    try {
      read_npy(fixture(name));
      ADD_FAILURE() << name << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}

TEST(Npy, AcceptsFortranFlagOnOneDimensionalArrays) {
  const Tensor t = from_memory(
      npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", kEightBytes));
  EXPECT_EQ(t.shape(), Shape{2});
}

TEST(Npy, RefusesToWriteDtypesNumpyLacks) {
  EXPECT_THROW(encode_npy(Tensor::empty(DType::kBFloat16, {2})), Error);
  EXPECT_THROW(encode_npy(Tensor::empty(DType::kString, {2})), Error);
  EXPECT_THROW(encode_npy(Tensor::meta(DType::kFloat32, {2})), Error);
}

TEST(Npy, RefusesCorruptPreamble) {
  expect_refused("", "does not start with");
  expect_refused("\x93NUMPX\x01\x00\x10\x00", "does not start with");
  std::string version4 = npy_bytes(kGoodDict, kEightBytes);
  version4[6] = 4;
  expect_refused(version4, "version 4.0");
  expect_refused(npy_bytes(kGoodDict, kEightBytes, 2).substr(0, 11), "header length");
  std::string huge_header = npy_bytes(kGoodDict, kEightBytes, 2);
  huge_header[11] = 0x7f;
  expect_refused(huge_header, "refused as corrupt");
  expect_refused(npy_bytes(kGoodDict, kEightBytes).substr(0, 40), "truncated inside the header");
}

TEST(Npy, RefusesMalformedHeaderDicts) {
  const std::pair<std::string, std::string> cases[] = {
      {"{'descr': '<f4', 'shape': (2,), }", "lacks"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "'extra'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "repeated"},
      {"{'descr': '<f4', 'fortran_order': maybe, 'shape': (2,), }", "True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "non-negative"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", "a quoted string"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }", "found 'fortran_orde'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,) } junk", "only padding"},
      {"['descr', '<f4']", "'{'"},
      {"{'descr': 'f4', 'fortran_order': False, 'shape': (2,), }", "byte order"},
      {"{'descr': '<f3', 'fortran_order': False, 'shape': (2,), }", "kind and size"},
      {"{'descr': '<V8', 'fortran_order': False, 'shape': (2,), }", "numeric and bool"},
      {"{'descr': '<f4\x01\xff', 'fortran_order': False, 'shape': (2,), }", "not a small number"},
  };
  for (const auto& [dict, needle] : cases) expect_refused(npy_bytes(dict, kEightBytes), needle);
}

TEST(Npy, RefusesDataOfTheWrongSize) {
  expect_refused(npy_bytes(kGoodDict, "1234567"), "truncated: a [2] float32 array needs 8 bytes");
  expect_refused(npy_bytes(kGoodDict, "123456789"), "1 unexpected bytes");
  const std::string absurd =
      "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }";
  expect_refused(npy_bytes(absurd, kEightBytes), "absurdly large");
  const std::string long_dim =
      "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }";
  expect_refused(npy_bytes(long_dim, kEightBytes), "absurdly large");
}

TEST(Npy, RefusesBoolBytesOtherThanZeroOrOne) {
  const std::string dict = "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }";
  expect_refused(npy_bytes(dict, std::string("\x01\x00\x02", 3)), "byte value 2");
}

TEST(Npy, FileErrorsNameTheFile) {
  try {
    read_npy("/nonexistent/dir/x.npy");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/x.npy"), std::string::npos);
  }
  EXPECT_THROW(write_npy("/nonexistent/dir/x.npy", Tensor::empty(DType::kFloat32, {1})), Error);

  const fs::path path =
      fs::temp_directory_path() / ("infera_npy_trunc_" + std::to_string(getpid()));
  std::ofstream(path, std::ios::binary) << file_bytes(fixture("rank4_f4")).substr(0, 300);
  try {
    read_npy(path.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  fs::remove(path);
}

// Every prefix and every single-byte corruption of a valid file is either read or refused
// with an infera::Error; none may crash (run under the sanitizers to make this bite).
TEST(Npy, NeverCrashesOnTruncatedOrFlippedBytes) {
  const std::string good = file_bytes(fixture("every_dtype_f4"));
  for (size_t length = 0; length < good.size(); ++length)
    EXPECT_THROW(from_memory(good.substr(0, length)), Error) << "prefix of " << length;
  for (size_t i = 0; i < good.size(); ++i) {
    for (int flip : {0x01, 0x20, 0x80, 0xff}) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      try {
        from_memory(bad);
      } catch (const Error&) {
      }
    }
  }
}

}  // namespace
}  // namespace infera
