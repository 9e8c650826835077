#include "vckv/storage/crc32c.hpp"

#include <gtest/gtest.h>

#include <string>

#include "vckv/storage/memory_file_system.hpp"

namespace vckv {
namespace {

// The check value of the CRC catalogue and the vectors of RFC 3720 (iSCSI), appendix B.4.
TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  std::string descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c(descending), 0x113FDB5Cu);
  EXPECT_EQ(crc32c(""), 0u);
}

// Extending a checksum equals checksumming the concatenation, and the CPU instruction path
// agrees with the table path at every length and alignment.
TEST(Crc32cTest, ExtendAndBothPathsAgree) {
  SplitMix64 random(7);
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(random() & 0xff));
  for (std::size_t start = 0; start < 9; ++start) {
    for (std::size_t len = 0; start + len <= data.size(); len += 1 + len / 3) {
      const std::string_view piece(data.data() + start, len);
      const std::uint32_t whole = crc32c(piece);
      EXPECT_EQ(whole, crc32c_extend_portable(0, piece.data(), piece.size()));
      const std::size_t cut = len / 2;
      EXPECT_EQ(whole, crc32c_extend(crc32c(piece.substr(0, cut)), piece.data() + cut, len - cut));
    }
  }
}

}  // namespace
}  // namespace vckv
