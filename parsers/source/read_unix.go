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

// lstat is os.Lstat without the FileInfo it allocates for every path.
func lstat(name string) (fileStat, error) {
	var st syscall.Stat_t
	var err error
	for {
		if err = syscall.Lstat(name, &st); err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return fileStat{}, &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	return fileStat{mode: fileMode(st.Mode), size: st.Size}, nil
}

// fileMode is os's fillFileStatFromSys for the type and permission bits
// (Stat_t.Mode is 16 bits wide on some systems, 32 on others).
func fileMode[M ~uint16 | ~uint32](stMode M) fs.FileMode {
	m := uint32(stMode)
	mode := fs.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFBLK:
		mode |= fs.ModeDevice
	case syscall.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	case syscall.S_IFSOCK:
		mode |= fs.ModeSocket
	}
	if m&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}
