#include "nertool/core/huge_page_heap.h"

#include <cstdint>
#include <cstdlib>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace nertool {

void reserve_huge_page_heap(std::size_t bytes) {
#if defined(__linux__) && defined(__GLIBC__)
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  // Large blocks stay in the heap (not in separate mmaps), the heap grows by `bytes` whenever it grows, and
  // freeing never hands the top back, so the marked range stays in use.
  ::mallopt(M_MMAP_THRESHOLD, static_cast<int>(bytes));
  ::mallopt(M_TOP_PAD, static_cast<int>(bytes));
  ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * bytes));
  void* probe = std::malloc(kHuge);  // larger than any free top yet: makes the heap grow by bytes + 2 MB now
  if (!probe) return;
  const auto begin = (reinterpret_cast<std::uintptr_t>(probe) + kHuge - 1) & ~(kHuge - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(::sbrk(0)) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  std::free(probe);
#else
  (void)bytes;
#endif
}

}  // namespace nertool
