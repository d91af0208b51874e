//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package login

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// platformLock is an advisory flock: released by the kernel if the process
// dies, so a crash never leaves the login locked.
func platformLock(ctx context.Context, path string) (func(), error) {
	f, err := openNoFollow(path, os.O_CREATE|os.O_RDWR, 0o600)
	if isLinkError(err) {
		return nil, fmt.Errorf("%w: the lock file %s is a symbolic link; supabase-mcp does not follow it: remove it", ErrUnsafeStore, path)
	}
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%w: the lock file %s is not a regular file: remove it", ErrUnsafeStore, path)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for the login lock %s: %w", path, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
