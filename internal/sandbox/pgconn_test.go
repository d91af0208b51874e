package sandbox

import (
	"context"

	"github.com/jackc/pgx/v5/pgconn"
)

// exec runs sql on a connection a test opens itself with pgx, independent
// of the sandbox's own client.
func exec(ctx context.Context, c *pgconn.PgConn, sql string) ([]*pgconn.Result, error) {
	return c.Exec(ctx, sql).ReadAll()
}
