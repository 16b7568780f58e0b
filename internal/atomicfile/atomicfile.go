// Package atomicfile writes a file so that readers, and a process killed half way, see either
// the old file or the whole new one, never a part: it writes a temporary file in the same
// directory and renames it over the path only when the writer commits.
//
//	f, err := atomicfile.Create(path)
//	if err != nil { ... }
//	defer f.Abort() // removes the temporary file unless committed
//	... write to f ...
//	return f.Commit()
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// File is a temporary file that becomes path on Commit.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts a file that will replace path (mode 0644). Nothing at path changes until Commit.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return nil, fmt.Errorf("atomicfile: %q names a directory, want a file", path)
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("atomicfile: %w", err)
	}
	return &File{File: tmp, path: path}, nil
}

// Commit syncs and closes the temporary file and renames it over the path. After an error the
// old file at path is as it was and the temporary file is removed.
func (f *File) Commit() (err error) {
	if f.done {
		return fmt.Errorf("atomicfile: %s already committed or aborted", f.path)
	}
	defer func() {
		if err != nil {
			f.Abort()
		}
	}()
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if err = os.Rename(f.Name(), f.path); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	f.done = true
	dir := filepath.Dir(f.path)
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("atomicfile: %s is in place but its directory cannot be opened to sync it: %w", f.path, err)
	}
	defer d.Close()
	if err = d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("atomicfile: %s is in place but syncing directory %s failed: %w", f.path, dir, err)
	}
	return nil
}

// Abort closes and removes the temporary file, leaving path as it was. It does nothing after
// Commit, so it can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	_ = f.Close()
	_ = os.Remove(f.Name())
}
