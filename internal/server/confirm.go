package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// confirmationID keys the elicitation in an input-required round trip.
const confirmationID = "confirm"

// confirm applies --confirm to a call that needs consent. It returns nil
// when the call may go ahead, or the result to send instead: a refusal, an
// elicitation request, or a preview with a single-use token. Nothing reaches
// the API before it returns nil.
func (s *Server) confirm(ctx context.Context, req mcp.CallToolRequest, et *tools.ExposedTool, call *tools.Call, c *guard.Confirmation) *mcp.CallToolResult {
	policy := s.opts.Policy.Confirm
	switch policy {
	case guard.ConfirmNone:
		return nil
	case guard.ConfirmDeny:
		return mcp.NewToolResultError(fmt.Sprintf("Refused: this server refuses calls that need confirmation (--confirm deny); nothing was sent. %s", modelPreview(c)))
	}
	args, err := json.Marshal(call.Args) // map keys sorted: canonical
	if err != nil {
		return mcp.NewToolResultError("arguments cannot be encoded: " + err.Error())
	}
	binding := guard.Binding(bindingSubject(ctx), et.Name, call.Op.Name, args, c.Message())
	// The project's name is shown beside its ref in the form (and may be
	// typed instead of it), but is no part of the binding: a name learnt
	// between asking and answering must not void the user's answer.
	name := s.projectName(ctx, call, c)

	// The answer of an elicitation round trip (modern clients send it back;
	// for older ones mcp-go asks and re-invokes this handler).
	if req.Params.RequestState != "" || len(req.Params.InputResponses) > 0 {
		if err := s.confirms.Open(ctx, req.Params.RequestState, binding); err != nil {
			if errors.Is(err, guard.ErrConfirmationExpired) {
				return s.unanswered(call)
			}
			return mcp.NewToolResultError("Not confirmed: " + err.Error())
		}
		return answered(mcpserver.ElicitationResponse(req.Params.InputResponses, confirmationID), call, c, name)
	}

	if token, _ := call.Extra["confirm"].(string); token != "" {
		if policy == guard.ConfirmElicit {
			return mcp.NewToolResultError("This server confirms destructive calls only by asking the user directly (--confirm elicit); tokens are not accepted.")
		}
		if err := s.confirms.RedeemToken(ctx, token, binding); err != nil {
			return mcp.NewToolResultError("Not confirmed: " + err.Error())
		}
		return nil
	}

	canElicit := clientCanElicit(ctx)
	if policy == guard.ConfirmElicit && !canElicit {
		return mcp.NewToolResultError(fmt.Sprintf("Refused: %s needs the user's confirmation, and this server asks for it only through MCP elicitation, which this client does not support (--confirm elicit). Nothing was sent.", call.Op.QualifiedName()))
	}
	if canElicit && policy != guard.ConfirmToken {
		if isModern(ctx) { // the client asks the user and calls again; the state expires
			state, err := s.confirms.Seal(ctx, binding)
			if err != nil {
				return mcp.NewToolResultError("Not asked: " + err.Error())
			}
			return mcpserver.NewInputRequestBuilder(state).
				Elicit(confirmationID, elicitation(c, name)).ToolResult()
		}
		return s.elicitNow(ctx, call, c, name)
	}
	token, err := s.confirms.IssueToken(ctx, binding)
	if err != nil {
		return mcp.NewToolResultError("Confirmation required, but no token could be issued: " + err.Error())
	}
	// The preview is isError: true. Nothing happened, and a client or model
	// that reads isError: false as "done" would report a deletion that
	// never ran; clients that render errors apart also show the user that
	// the call stopped. The text starts with what did not happen for the
	// same reason.
	return mcp.NewToolResultError(fmt.Sprintf(
		"NOT DONE. Confirmation required: %s has not run and nothing was sent yet. Show the user what the call would do (below) and ask whether to proceed. Only if they agree, call %s again with exactly the same arguments plus confirm: %q (single use, valid %s).\n%s",
		call.Op.QualifiedName(), et.Name, token, humanDuration(s.confirms.TTL()), modelPreview(c)))
}

// modelPreview is a confirmation's text for the model. It quotes arguments and
// what the API said (names, SQL), so it travels inside the untrusted-data
// boundary; the user sees the same text in an elicitation form.
func modelPreview(c *guard.Confirmation) string {
	return tools.WrapUntrusted("what the call would do", c.Message())
}

// elicitNow asks a client of an older protocol directly, within the
// confirmation timeout and the call's own context, rather than leaving the
// wait to mcp-go's bridge, which has no deadline.
func (s *Server) elicitNow(ctx context.Context, call *tools.Call, c *guard.Confirmation, name string) *mcp.CallToolResult {
	ectx, cancel := context.WithTimeout(ctx, s.confirms.TTL())
	defer cancel()
	answer, err := s.mcp.RequestElicitation(ectx, mcp.ElicitationRequest{
		Request: mcp.Request{Method: string(mcp.MethodElicitationCreate)},
		Params:  elicitation(c, name),
	})
	switch {
	case ctx.Err() != nil:
		return mcp.NewToolResultError(fmt.Sprintf("%s was cancelled while waiting for the user's confirmation; nothing was sent.", call.Op.QualifiedName()))
	case errors.Is(err, context.DeadlineExceeded):
		return s.unanswered(call)
	case err != nil:
		return mcp.NewToolResultError(fmt.Sprintf("Could not ask the user to confirm %s (%v); nothing was sent.", call.Op.QualifiedName(), err))
	}
	return answered(answer, call, c, name)
}

// projectName is the name of the project a confirmation's target is, when
// an earlier projects.list or projects.get result showed it to the same
// credential; "" otherwise (no API call is made for it).
func (s *Server) projectName(ctx context.Context, call *tools.Call, c *guard.Confirmation) string {
	ref, _ := call.Args["ref"].(string)
	if ref == "" || c.Target != ref {
		return ""
	}
	return s.names.name(principalOf(ctx), ref)
}

// answered turns the user's answer into nil (go ahead) or a refusal.
func answered(answer *mcp.ElicitationResult, call *tools.Call, c *guard.Confirmation, name string) *mcp.CallToolResult {
	if answer == nil || answer.Action != mcp.ElicitationResponseActionAccept {
		return mcp.NewToolResultError(fmt.Sprintf("The user did not confirm %s; nothing was sent. Do not retry unless the user asks.", call.Op.QualifiedName()))
	}
	if !answerConfirms(answer.Content, c, name) {
		return mcp.NewToolResultError(fmt.Sprintf("Not confirmed: the user had to type %q; nothing was sent.", c.Target))
	}
	return nil
}

func (s *Server) unanswered(call *tools.Call) *mcp.CallToolResult {
	return mcp.NewToolResultError(fmt.Sprintf("The user did not answer the confirmation of %s within %s; nothing was sent. Call again only if the user still wants it.", call.Op.QualifiedName(), humanDuration(s.confirms.TTL())))
}

// isModern: the request speaks protocol 2026-07-28 or later, where input
// requests travel back to the client in the result.
func isModern(ctx context.Context) bool {
	info := mcpserver.RequestProtocolInfoFromContext(ctx)
	return info != nil && info.Modern
}

func humanDuration(d time.Duration) string {
	switch {
	case d%time.Minute == 0 && d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d%time.Second == 0:
		return fmt.Sprintf("%d seconds", int(d.Seconds()))
	}
	return d.String()
}

// elicitation is the form for a confirmation; name, when known, is the
// name of the project the call acts on (c.Target is its ref).
func elicitation(c *guard.Confirmation, name string) mcp.ElicitationParams {
	p := mcp.ElicitationParams{Mode: mcp.ElicitationModeForm, Message: c.Message()}
	if name != "" {
		p.Message = fmt.Sprintf("Project %s (ref %s).\n%s", name, c.Target, p.Message)
	}
	if c.Irreversible && c.Target != "" {
		title, description := "Type "+c.Target+" to confirm", c.Target
		if name != "" {
			p.Message += fmt.Sprintf(" To confirm, type the project's name, %s (or its ref).", name)
			title, description = "Type "+name+" to confirm", name
		} else {
			p.Message += fmt.Sprintf(" To confirm, type %s.", c.Target)
		}
		p.RequestedSchema = map[string]any{
			"type": "object",
			"properties": map[string]any{confirmationID: map[string]any{
				"type": "string", "title": title, "description": description,
			}},
			"required": []string{confirmationID},
		}
		return p
	}
	p.RequestedSchema = map[string]any{
		"type": "object",
		"properties": map[string]any{confirmationID: map[string]any{
			"type": "boolean", "title": "Proceed", "default": false,
		}},
		"required": []string{confirmationID},
	}
	return p
}

func answerConfirms(content any, c *guard.Confirmation, name string) bool {
	m, _ := content.(map[string]any)
	if c.Irreversible && c.Target != "" {
		typed, _ := m[confirmationID].(string)
		typed = strings.TrimSpace(typed)
		return typed == c.Target || name != "" && typed == name
	}
	yes, _ := m[confirmationID].(bool)
	return yes
}

// clientCanElicit checks the capability the client declared: per request in
// the modern protocol, per session before it. Asking a client that did not
// declare it fails the whole call.
func clientCanElicit(ctx context.Context) bool {
	if info := mcpserver.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		return info.ClientCapabilities != nil && info.ClientCapabilities.Elicitation != nil
	}
	sess := mcpserver.ClientSessionFromContext(ctx)
	if _, ok := sess.(mcpserver.SessionWithElicitation); !ok {
		return false // the transport cannot carry the question (legacy SSE)
	}
	if info, ok := sess.(mcpserver.SessionWithClientInfo); ok {
		return info.GetClientCapabilities().Elicitation != nil
	}
	return false
}

func sessionID(ctx context.Context) string {
	if sess := mcpserver.ClientSessionFromContext(ctx); sess != nil {
		return sess.SessionID()
	}
	return ""
}
