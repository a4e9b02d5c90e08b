// The protobuf wire-format cursor on hand-made byte strings.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "infera/error.h"
#include "onnx/wire.h"
#include "proto_writer.h"

namespace infera::wire {
namespace {

using infera::testing::ProtoWriter;

struct ThrowingSink final : WireErrorSink {
  [[noreturn]] void fail(const std::string& what) const override {
    throw Error(ErrorKind::kInvalidModel, what);
  }
};

// Owns the bytes and a reader over them.
struct Fixture {
  explicit Fixture(std::string b) : bytes(std::move(b)) {}
  WireReader reader() const {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    return WireReader(Bytes(p, bytes.size()), p, sink);
  }
  std::string bytes;
  ThrowingSink sink;
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidModel);
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(WireReader, VarintsUpToTenBytes) {
  Fixture fx(ProtoWriter().varint(1, 0).varint(2, 300).varint(3, ~uint64_t{0}).str());
  WireReader r = fx.reader();
  FieldTag t = r.read_tag();
  EXPECT_EQ(t.number, 1u);
  EXPECT_EQ(r.read_uint64(t), 0u);
  t = r.read_tag();
  EXPECT_EQ(r.read_uint64(t), 300u);
  t = r.read_tag();
  EXPECT_EQ(r.read_int64(t), -1);
  EXPECT_TRUE(r.at_end());
}

TEST(WireReader, RefusesOverlongAndOverflowingVarints) {
  Fixture overlong(std::string("\x08") + std::string(10, '\x80') + "\x01");
  EXPECT_NE(error_of([&] { auto r = overlong.reader(); r.read_uint64(r.read_tag()); })
                .find("varint"), std::string::npos);
  Fixture overflow(std::string("\x08") + std::string(9, '\xff') + "\x02");
  EXPECT_NE(error_of([&] { auto r = overflow.reader(); r.read_uint64(r.read_tag()); })
                .find("overflows 64 bits at byte 1"), std::string::npos);
}

TEST(WireReader, TruncationsNameTheByte) {
  Fixture varint("\x08\x80");
  EXPECT_NE(error_of([&] { auto r = varint.reader(); r.read_uint64(r.read_tag()); })
                .find("truncated varint at byte 1"), std::string::npos);
  Fixture length("\x0a\x05" "abc");
  EXPECT_NE(error_of([&] { auto r = length.reader(); r.read_bytes(r.read_tag()); })
                .find("length 5 runs past the end (3 bytes left) at byte 1"), std::string::npos);
  Fixture fixed("\x0d\x01\x02");
  EXPECT_NE(error_of([&] { auto r = fixed.reader(); r.read_float(r.read_tag()); })
                .find("truncated fixed32"), std::string::npos);
}

TEST(WireReader, RefusesWrongWireTypeGroupsAndFieldZero) {
  Fixture wrong(ProtoWriter().varint(4, 7).str());
  EXPECT_NE(error_of([&] { auto r = wrong.reader(); r.read_string(r.read_tag()); })
                .find("field 4 has wire type varint, expected length-delimited"), std::string::npos);
  Fixture group("\x0b\x0c");  // field 1 start-group, end-group
  EXPECT_NE(error_of([&] { auto r = group.reader(); r.skip(r.read_tag()); }).find("groups"),
            std::string::npos);
  Fixture zero(std::string("\x00\x01", 2));
  EXPECT_NE(error_of([&] { zero.reader().read_tag(); }).find("field number 0"), std::string::npos);
  Fixture bad_type("\x0e");
  EXPECT_NE(error_of([&] { bad_type.reader().read_tag(); }).find("wire type 6"), std::string::npos);
}

TEST(WireReader, SkipsEveryWireType) {
  Fixture fx(ProtoWriter().varint(1, 1 << 20).fixed32(2, 5).bytes(3, "xyz").varint(9, 42).str() +
             std::string("\x21") + std::string(8, '\0'));  // field 4 fixed64
  WireReader r = fx.reader();
  for (int i = 0; i < 3; ++i) r.skip(r.read_tag());
  FieldTag t = r.read_tag();
  EXPECT_EQ(r.read_int64(t), 42);
  r.skip(r.read_tag());
  EXPECT_TRUE(r.at_end());
}

TEST(WireReader, RepeatedNumbersPackedOrNot) {
  Fixture fx(ProtoWriter().packed_varints(1, {1, -2, 300}).varint(1, 7).str());
  WireReader r = fx.reader();
  std::vector<int64_t> values;
  while (!r.at_end()) r.append_int64s(r.read_tag(), values);
  EXPECT_EQ(values, (std::vector<int64_t>{1, -2, 300, 7}));

  Fixture floats(ProtoWriter().bytes(1, std::string("\0\0\x80\x3f\0\0\0\x40", 8)).float32(1, 3).str());
  WireReader fr = floats.reader();
  std::vector<float> fv;
  while (!fr.at_end()) fr.append_floats(fr.read_tag(), fv);
  EXPECT_EQ(fv, (std::vector<float>{1, 2, 3}));

  Fixture ragged(ProtoWriter().bytes(1, "abc").str());
  EXPECT_NE(error_of([&] { auto rr = ragged.reader(); rr.append_floats(rr.read_tag(), fv); })
                .find("packed floats of 3 bytes"), std::string::npos);
}

TEST(WireReader, Int32RangeChecked) {
  Fixture fx(ProtoWriter().varint(2, uint64_t{1} << 40).str());
  EXPECT_NE(error_of([&] { auto r = fx.reader(); r.read_int32(r.read_tag()); })
                .find("does not fit int32"), std::string::npos);
  Fixture negative(ProtoWriter().varint(2, static_cast<uint64_t>(int64_t{-5})).str());
  auto r = negative.reader();
  EXPECT_EQ(r.read_int32(r.read_tag()), -5);
}

}  // namespace
}  // namespace infera::wire
