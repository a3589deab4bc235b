#pragma once
// Parsing a CoNLL file makes hundreds of thousands of small strings; with 4 KB pages every 4 KB of new heap is a
// page fault, and on virtual machines those faults cost more than the parsing itself (about 8,000 faults and
// two thirds of `nertool eval`'s time on the CoNLL-2003 test set). Reserving the heap in one large step and
// asking the kernel for transparent huge pages there (what glibc's `glibc.malloc.hugetlb=1` tunable does, which
// can only be set before a program starts) turns them into a few dozen 2 MB faults.

#include <cstddef>

namespace nertool {

// Grows the malloc heap by `bytes` at once and marks that range MADV_HUGEPAGE. Harmless where transparent
// huge pages are disabled; a no-op on systems without madvise. Call it early in main, before the heap is busy.
void reserve_huge_page_heap(std::size_t bytes);

}  // namespace nertool
