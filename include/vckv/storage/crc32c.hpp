// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial and final value all ones), the
// checksum of every log record (docs/log-format.md). crc32c("123456789") == 0xE3069283.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vckv {

// The CRC of the bytes that gave crc followed by data[0, size): crc32c_extend(crc32c(a), b)
// == crc32c(a + b). Start from 0 for a fresh checksum.
std::uint32_t crc32c_extend(std::uint32_t crc, const void* data, std::size_t size);

// The same, always by the portable table-driven code (crc32c_extend uses the CPU's crc32
// instruction when it has one); for tests that check both agree.
std::uint32_t crc32c_extend_portable(std::uint32_t crc, const void* data, std::size_t size);

inline std::uint32_t crc32c(std::string_view bytes) {
  return crc32c_extend(0, bytes.data(), bytes.size());
}

}  // namespace vckv
