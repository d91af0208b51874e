package server

import (
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

func (s *Server) linkedResult(call *tools.Call, status int, body []byte) *mcp.CallToolResult {
	return nil
}
