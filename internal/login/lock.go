package login

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// lockTimeout bounds the wait for another process's refresh.
const lockTimeout = 30 * time.Second

// lockFile takes an exclusive lock on path (created if needed) across
// processes, waiting at most until ctx ends. The platform lock is an
// advisory flock where there is one; elsewhere a lock file created with
// O_EXCL (createLock).
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	if _, err := secureDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return platformLock(ctx, path)
}

// staleLock is the age after which an O_EXCL lock file is taken to be left
// over by a crashed process. A refresh is one HTTP request: far shorter.
const staleLock = 2 * time.Minute

// createLock is the portable lock: the holder is whoever created the file
// (O_EXCL never follows a symbolic link).
func createLock(ctx context.Context, path string) (func(), error) {
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if st, err := os.Lstat(path); err == nil && time.Since(st.ModTime()) > staleLock {
			os.Remove(path)
			continue
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the login lock %s: %w", path, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
