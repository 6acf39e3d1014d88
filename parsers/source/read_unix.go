//go:build unix

package source

import (
	"io/fs"
	"syscall"
)

// readFile reads the regular file name whose size was just looked at. It
// goes to the system calls directly: os.Open registers every file with the
// runtime's poller (four fcntl and an epoll_ctl that fail for a regular
// file), which on a tree of 10,000 files costs more than the reads.
func readFile(name string, size int64) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer syscall.Close(fd)
	data := make([]byte, 0, size+1) // one more byte, to meet the end without growing
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := syscall.Read(fd, data[len(data):cap(data)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		data = data[:len(data)+n]
		if n == 0 || int64(len(data)) == size && len(data) < cap(data) {
			// End of file, or a read of a regular file that stopped short
			// at the size just seen, which is its end.
			return data, nil
		}
	}
}
