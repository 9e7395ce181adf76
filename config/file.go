package config

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// MaxFileBytes is the largest environment file Load accepts (1 MiB). Real
// files are a few KiB; the limit only exists so that a path pointing at
// something endless (a device, a pipe, a file still being written) fails
// fast instead of filling memory.
const MaxFileBytes = 1 << 20

// fileRule is the second half of every message about the file itself.
const fileRule = "environment files must be regular files up to 1 MiB"

// readFile returns the bytes of the environment file at path. It accepts only
// a regular file (a symlink to one is fine) of at most MaxFileBytes:
//   - the mode is checked with os.Stat before the file is opened, so a FIFO
//     is never opened for reading (that would wait for a writer forever);
//   - the file is opened non-blocking and checked again on the open handle,
//     so a path swapped for a FIFO or device after the Stat is still refused;
//   - reading stops at MaxFileBytes+1 bytes, so a file that grows after the
//     checks cannot exhaust memory either (Parse rejects the extra byte).
func readFile(path string) ([]byte, error) {
	file := filepath.ToSlash(path)
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkFileInfo(path, file, info); err != nil {
		return nil, err
	}
	// O_NONBLOCK only matters for a FIFO (open returns at once instead of
	// waiting for a writer); regular files read exactly as without it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkFileInfo(path, file, info); err != nil {
		return nil, err
	}
	return readBounded(file, f)
}

// readBounded reads r to the end, but never more than MaxFileBytes+1 bytes.
func readBounded(file string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(data) > MaxFileBytes {
		return nil, tooLarge(file)
	}
	return data, nil
}

func tooLarge(file string) error {
	return &Error{File: file, Rule: fmt.Sprintf("is larger than 1 MiB (%d bytes); %s", MaxFileBytes, fileRule)}
}

// checkFileInfo refuses anything but a regular file of at most MaxFileBytes.
func checkFileInfo(path, file string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		kind := fileKind(info.Mode())
		if l, err := os.Lstat(path); err == nil && l.Mode()&fs.ModeSymlink != 0 {
			if target, err := filepath.EvalSymlinks(path); err == nil {
				kind += ", through a symlink to " + filepath.ToSlash(target)
			}
		}
		return &Error{File: file, Rule: fmt.Sprintf("is not a regular file (%s); %s", kind, fileRule)}
	}
	if info.Size() > MaxFileBytes {
		return &Error{File: file, Rule: fmt.Sprintf("is %d bytes, larger than 1 MiB (%d bytes); %s", info.Size(), MaxFileBytes, fileRule)}
	}
	return nil
}

// fileKind names a non-regular file mode the way ls -l users know it.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	}
	return "irregular file"
}
