//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package login

import (
	"errors"
	"os"
	"syscall"
)

// permissionsApply: Unix modes and owners protect the login file.
const permissionsApply = true

// errSymlink is only produced where O_NOFOLLOW is missing.
var errSymlink = errors.New("symbolic link")

// openNoFollow opens path, failing with ELOOP if it is a symbolic link.
func openNoFollow(path string, flag int, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag|syscall.O_NOFOLLOW, perm)
}

func ownedByMe(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}
