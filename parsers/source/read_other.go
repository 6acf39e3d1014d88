//go:build !unix

package source

import (
	"io"
	"os"
)

// readFile is os.ReadFile for a file whose size was just looked at: it
// does not ask the size again.
func readFile(name string, size int64) ([]byte, error) {
	file, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data := make([]byte, 0, size+1) // one more byte, to meet the end without growing
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := file.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF || err == nil && int64(len(data)) == size && len(data) < cap(data) {
			// A read of a regular file that stops short, at the size
			// just seen, stops at its end: no need to ask again.
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// lstat is os.Lstat, keeping what the reader needs.
func lstat(name string) (fileStat, error) {
	fi, err := os.Lstat(name)
	if err != nil {
		return fileStat{}, err
	}
	return fileStat{mode: fi.Mode(), size: fi.Size()}, nil
}
