#include "key_directory.hpp"

#include <cstring>

#include "encoding.hpp"

namespace vckv::detail {
namespace {

inline std::uint64_t rotl64(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = rotl64(v1, 13);
    v1 ^= v0;
    v0 = rotl64(v0, 32);
    v2 += v3;
    v3 = rotl64(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl64(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl64(v1, 17);
    v1 ^= v2;
    v2 = rotl64(v2, 32);
  }
};

std::uint64_t load_le64(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);  // little-endian hosts (x86-64, arm64)
  return v;
}

// A fast seeded hash for the fingerprint's other 32 bits: multiply-mix over 8-byte words and
// MurmurHash3's finaliser. SipHash alone makes the fingerprint unpredictable; this one only has
// to be independent of it, to make an accidental collision of both unlikelier still.
std::uint64_t mix_hash(std::uint64_t seed, std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::uint64_t h = seed ^ (bytes.size() * 0x9e3779b97f4a7c15ULL);
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    h = (h ^ load_le64(p + i)) * 0xff51afd7ed558ccdULL;
    h ^= h >> 29;
  }
  std::uint64_t last = 0;
  for (std::size_t k = 0; i + k < bytes.size(); ++k) last |= std::uint64_t{p[i + k]} << (8 * k);
  h = (h ^ last) * 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

std::uint64_t mix_seed(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view bytes) {
  SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
             k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  const std::size_t whole = n - n % 8;
  for (std::size_t i = 0; i < whole; i += 8) {
    const std::uint64_t m = load_le64(p + i);
    s.v3 ^= m;
    s.round();
    s.round();
    s.v0 ^= m;
  }
  std::uint64_t last = std::uint64_t{n & 0xff} << 56;
  for (std::size_t i = whole; i < n; ++i) last |= std::uint64_t{p[i]} << (8 * (i - whole));
  s.v3 ^= last;
  s.round();
  s.round();
  s.v0 ^= last;
  s.v2 ^= 0xff;
  s.round();
  s.round();
  s.round();
  s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

EntryHasher::EntryHasher(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (std::uint64_t& k : keys_) k = mix_seed(state);
}

Fingerprint EntryHasher::of(EntrySpace space, std::string_view target, std::string_view key) const {
  // The map, then the target with its length (so ("ab", "c") and ("a", "bc") differ), then the
  // key: built on the stack when short (every record names its entry, so this runs once per
  // change), in scratch_ otherwise.
  constexpr std::size_t kShort = 64;
  const std::size_t size =
      1 + storage_encoding::varint_size(target.size()) + target.size() + key.size();
  char stack[kShort];
  char* p = stack;
  if (size > kShort) {
    scratch_.resize(size);
    p = scratch_.data();
  }
  *p = static_cast<char>(space);
  char* w = storage_encoding::put_varint(p + 1, target.size());  // as put_string writes it
  if (!target.empty()) std::memcpy(w, target.data(), target.size());
  w += target.size();
  if (!key.empty()) std::memcpy(w, key.data(), key.size());
  const std::string_view bytes(p, size);
  Fingerprint fp;
  fp.high = siphash24(keys_[0], keys_[1], bytes);
  fp.low = static_cast<std::uint32_t>(mix_hash(keys_[2], bytes));
  return fp;
}

std::size_t KeyDirectory::home(std::uint64_t high) const {
  // Multiply-shift maps the hash onto any table size (no power of two needed, so the table can
  // grow by half instead of doubling).
  __extension__ using Wide = unsigned __int128;
  return static_cast<std::size_t>((static_cast<Wide>(high) * slots_.size()) >> 64);
}

std::size_t KeyDirectory::find_slot(Fingerprint fp) const {
  if (slots_.empty()) return 0;
  for (std::size_t i = home(fp.high);; i = next(i)) {
    const Entry& e = slots_[i];
    if (e.size == 0) return slots_.size();
    if (e.high == fp.high && e.low == fp.low) return i;
  }
}

const KeyDirectory::Entry* KeyDirectory::find(Fingerprint fp) const {
  const std::size_t i = find_slot(fp);
  return i < slots_.size() ? &slots_[i] : nullptr;
}

void KeyDirectory::rehash(std::size_t capacity) {
  std::vector<Entry> old = std::move(slots_);
  slots_.assign(capacity, Entry{0, 0, 0, 0});
  for (const Entry& e : old) {
    if (e.size == 0) continue;
    std::size_t i = home(e.high);
    while (slots_[i].size != 0) i = next(i);
    slots_[i] = e;
  }
}

void KeyDirectory::grow() { rehash(slots_.empty() ? 64 : slots_.size() + slots_.size() / 2); }

void KeyDirectory::reserve(std::size_t entries) {
  if (entries * 5 > slots_.size() * 4) rehash(entries * 5 / 4 + 64);
}

void KeyDirectory::put(Fingerprint fp, std::uint64_t location, std::uint32_t size) {
  // At most 4/5 full: linear probing stays short.
  if ((size_ + 1) * 5 > slots_.size() * 4) grow();
  std::size_t i = home(fp.high);
  for (;; i = next(i)) {
    Entry& e = slots_[i];
    if (e.size == 0) {
      e = Entry{fp.high, location, fp.low, size};
      ++size_;
      live_bytes_ += size;
      return;
    }
    if (e.high == fp.high && e.low == fp.low) {
      live_bytes_ = live_bytes_ - e.size + size;
      e.location = location;
      e.size = size;
      return;
    }
  }
}

void KeyDirectory::erase(Fingerprint fp) {
  std::size_t hole = find_slot(fp);
  if (hole >= slots_.size()) return;
  live_bytes_ -= slots_[hole].size;
  --size_;
  // Backward-shift deletion: move later entries of the run into the hole when the hole lies
  // between their home and where they are, so no lookup ever stops early at it.
  for (std::size_t j = next(hole);; j = next(j)) {
    Entry& e = slots_[j];
    if (e.size == 0) break;
    const std::size_t h = home(e.high);
    const bool hole_on_path = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
    if (hole_on_path) {
      slots_[hole] = e;
      hole = j;
    }
  }
  slots_[hole] = Entry{0, 0, 0, 0};
}

void KeyDirectory::append_entries(std::vector<Entry>& out) const {
  out.reserve(out.size() + size_);
  for (const Entry& e : slots_) {
    if (e.size != 0) out.push_back(e);
  }
}

bool KeyDirectory::relocate(Fingerprint fp, std::uint64_t from, std::uint64_t to) {
  const std::size_t i = find_slot(fp);
  if (i >= slots_.size() || slots_[i].location != from) return false;
  slots_[i].location = to;
  return true;
}

}  // namespace vckv::detail
