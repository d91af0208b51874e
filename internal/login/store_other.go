//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package login

import (
	"errors"
	"os"
)

// permissionsApply: Windows has no Unix modes (the user profile's ACLs
// protect the config directory).
const permissionsApply = false

var errSymlink = errors.New("symbolic link")

// openNoFollow refuses a symbolic link (checked with Lstat: there is no O_NOFOLLOW).
func openNoFollow(path string, flag int, perm os.FileMode) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return nil, &os.PathError{Op: "open", Path: path, Err: errSymlink}
	}
	return os.OpenFile(path, flag, perm)
}

func ownedByMe(os.FileInfo) bool { return true }
