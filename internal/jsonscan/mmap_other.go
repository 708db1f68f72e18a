//go:build !linux

package jsonscan

import "os"

// mmapFile maps nothing outside Linux: Map returns nil and files are read through a buffer.
func mmapFile(f *os.File, size int) ([]byte, error) { return nil, nil }

func munmapFile(data []byte) error { return nil }

func releaseRange(b []byte) {}

func pageSize() int { return os.Getpagesize() }
