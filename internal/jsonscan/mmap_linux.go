package jsonscan

import (
	"os"
	"syscall"
)

// mmapFile maps size bytes of f read-only and shared (MAP_SHARED: the pages are the page
// cache's, nothing is copied) and advises sequential access, which makes the kernel read ahead
// from disk and map the pages around each fault in one go (mmap(2), madvise(2)).
func mmapFile(f *os.File, size int) ([]byte, error) {
	data, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	// Advice only: a kernel that ignores it maps the same bytes.
	_ = syscall.Madvise(data, syscall.MADV_SEQUENTIAL)
	return data, nil
}

func munmapFile(data []byte) error { return syscall.Munmap(data) }

// releaseRange drops the pages of b from the process (MADV_DONTNEED). For a shared file
// mapping the pages stay in the page cache and a later read maps them again, unchanged.
func releaseRange(b []byte) { _ = syscall.Madvise(b, syscall.MADV_DONTNEED) }

func pageSize() int { return os.Getpagesize() }
