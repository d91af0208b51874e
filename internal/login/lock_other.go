//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package login

import "context"

func platformLock(ctx context.Context, path string) (func(), error) { return createLock(ctx, path) }
