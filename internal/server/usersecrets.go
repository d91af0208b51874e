package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/supabase-mcp/supabase-mcp/internal/guard"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// Secrets out of band (tools/usersecrets.go): a call whose secret values the
// user is to enter reaches here with markers in their place. With a client
// that supports URL elicitation the user types them on a one-time page
// (secretpage.go); otherwise a database password may be generated and shown
// only to the user (Options.UserNotice); otherwise the call is refused.

// secretInputID keys the URL elicitation in an input-required round trip.
const secretInputID = "secret_value"

// secretStatePrefix marks the request state of the secret round trip, which
// comes after the confirmation: holding it proves the call was confirmed.
const secretStatePrefix = "secret."

type secretChannel int

const (
	secretNone secretChannel = iota
	secretByPage
	secretGenerate
)

// secretChannelFor picks how the call's user secrets are obtained.
func (s *Server) secretChannelFor(ctx context.Context, call *tools.Call) secretChannel {
	if clientCanElicitURL(ctx) && s.pages.available() {
		return secretByPage
	}
	generate := s.opts.UserNotice != nil
	for _, us := range call.UserSecrets() {
		generate = generate && us.Generate
	}
	if generate {
		return secretGenerate
	}
	return secretNone
}

// noSecretChannel is the refusal when a secret value is needed and there is
// no way to get it past the model.
func noSecretChannel(call *tools.Call) *mcp.CallToolResult {
	labels := secretLabels(call)
	return mcp.NewToolResultError(fmt.Sprintf(
		"%s needs %s, to be entered by the user, and this client cannot open a page for that (MCP URL elicitation, protocol 2025-11-25 or later). Nothing was sent. Either give the value in the arguments (it then passes through the model), or ask the user to use a client with URL elicitation.",
		call.Op.QualifiedName(), strings.Join(labels, ", ")))
}

func secretLabels(call *tools.Call) []string {
	var labels []string
	for _, us := range call.UserSecrets() {
		labels = append(labels, us.Label)
	}
	return labels
}

// secretBinding ties a secret page and round trip to the session, the
// operation and its exact arguments (with markers, never values).
func secretBinding(ctx context.Context, et *tools.ExposedTool, call *tools.Call) (string, error) {
	args, err := json.Marshal(call.Args)
	if err != nil {
		return "", err
	}
	return guard.Binding(bindingSubject(ctx), et.Name, call.Op.Name, args, "user secrets"), nil
}

// secretRound reports whether req answers the secret round trip and opens
// its state; an answer that does not open is refused.
func (s *Server) secretRound(ctx context.Context, req mcp.CallToolRequest, et *tools.ExposedTool, call *tools.Call) (bool, *mcp.CallToolResult) {
	state, ok := strings.CutPrefix(req.Params.RequestState, secretStatePrefix)
	if !ok || len(call.UserSecrets()) == 0 {
		return false, nil
	}
	binding, err := secretBinding(ctx, et, call)
	if err != nil {
		return true, mcp.NewToolResultError("arguments cannot be encoded: " + err.Error())
	}
	if err := s.secretStates.Open(ctx, state, binding); err != nil {
		return true, mcp.NewToolResultError("Not sent: " + err.Error() + " Call again to get a new page.")
	}
	return true, nil
}

// userValues obtains the call's secret values by the channel chosen before
// the confirmation and returns the call with them in place. A non-nil result
// is sent instead (a refusal, or an input request to a modern client).
func (s *Server) userValues(ctx context.Context, req mcp.CallToolRequest, et *tools.ExposedTool, call *tools.Call, channel secretChannel, answering bool) (*tools.Call, []string, *mcp.CallToolResult) {
	injected := s.opts.Policy.Injected()
	switch channel {
	case secretGenerate:
		values := make([]string, len(call.UserSecrets()))
		for i := range values {
			values[i] = tools.GeneratePassword()
		}
		full, err := et.WithUserValues(call, values, injected)
		if err != nil {
			return nil, nil, mcp.NewToolResultError(err.Error())
		}
		for i, us := range call.UserSecrets() {
			// To the user only: this writer is the terminal, not the log.
			fmt.Fprintf(s.opts.UserNotice, "supabase-mcp: %s for %s, generated for you (the model does not see it; keep it now, it is not shown again): %s\n",
				us.Label, call.Op.QualifiedName(), values[i])
		}
		return full, values, nil
	case secretByPage:
	default:
		return nil, nil, noSecretChannel(call)
	}

	binding, err := secretBinding(ctx, et, call)
	if err != nil {
		return nil, nil, mcp.NewToolResultError("arguments cannot be encoded: " + err.Error())
	}
	var full *tools.Call
	check := func(values []string) error {
		for i, v := range values {
			if v == "" {
				return fmt.Errorf("%s is empty", call.UserSecrets()[i].Label)
			}
		}
		c, err := et.WithUserValues(call, values, injected)
		if err == nil {
			full = c
		}
		return err
	}
	labels := secretLabels(call)
	action := fmt.Sprintf("%s needs %s.", call.Op.QualifiedName(), strings.Join(labels, ", "))
	message := fmt.Sprintf("%s Open the page to type the value; the AI model never sees it.", action)

	var page *secretPage
	if answering { // the modern client is back from the page
		answer := mcpserver.ElicitationResponse(req.Params.InputResponses, secretInputID)
		if answer == nil || answer.Action != mcp.ElicitationResponseActionAccept {
			return nil, nil, s.secretDeclined(call)
		}
		if page = s.pages.pending(binding); page == nil {
			return nil, nil, mcp.NewToolResultError(fmt.Sprintf("The page for %s expired or was replaced; nothing was sent. Call again for a new one.", call.Op.QualifiedName()))
		}
	} else {
		if page, err = s.pages.open(binding, action, labels, check); err != nil {
			return nil, nil, mcp.NewToolResultError(fmt.Sprintf("Could not open a page for the secret value (%v); nothing was sent.", err))
		}
		params := mcp.ElicitationParams{Mode: mcp.ElicitationModeURL, Message: message, ElicitationID: page.id, URL: page.url}
		if isModern(ctx) {
			sealed, err := s.secretStates.Seal(ctx, binding)
			if err != nil {
				return nil, nil, mcp.NewToolResultError("Could not seal the page's state (" + err.Error() + "); nothing was sent.")
			}
			return nil, nil, mcpserver.NewInputRequestBuilder(secretStatePrefix+sealed).
				Elicit(secretInputID, params).ToolResult()
		}
		answer, err := s.mcp.RequestElicitation(ctx, mcp.ElicitationRequest{
			Request: mcp.Request{Method: string(mcp.MethodElicitationCreate)}, Params: params,
		})
		if err != nil || answer == nil || answer.Action != mcp.ElicitationResponseActionAccept {
			s.pages.remove(page)
			if err != nil && ctx.Err() == nil {
				return nil, nil, mcp.NewToolResultError(fmt.Sprintf("Could not ask the user for the secret value of %s (%v); nothing was sent.", call.Op.QualifiedName(), err))
			}
			return nil, nil, s.secretDeclined(call)
		}
	}
	values, err := s.pages.wait(ctx, page)
	s.pages.remove(page)
	if err != nil {
		if errors.Is(err, errSecretPageExpired) {
			return nil, nil, mcp.NewToolResultError(fmt.Sprintf("The user did not enter the value for %s within %s; nothing was sent. Call again only if the user still wants it.", call.Op.QualifiedName(), humanDuration(s.pages.ttl)))
		}
		return nil, nil, mcp.NewToolResultError(fmt.Sprintf("%s was cancelled while waiting for the user's value; nothing was sent.", call.Op.QualifiedName()))
	}
	if full == nil { // checked on the page; decode once more to be sure
		if full, err = et.WithUserValues(call, values, injected); err != nil {
			return nil, nil, mcp.NewToolResultError(err.Error())
		}
	}
	if sess := mcpserver.ClientSessionFromContext(ctx); sess != nil && !isModern(ctx) {
		_ = s.mcp.SendElicitationComplete(ctx, sess, page.id)
	}
	return full, values, nil
}

func (s *Server) secretDeclined(call *tools.Call) *mcp.CallToolResult {
	return mcp.NewToolResultError(fmt.Sprintf("The user did not open the page to enter the value for %s; nothing was sent. Do not retry unless the user asks.", call.Op.QualifiedName()))
}

// scrubValues removes the user's values from text the model will read (an
// API that echoed one back).
func scrubValues(text string, values []string) string {
	for _, v := range values {
		if len(v) >= 4 {
			text = strings.ReplaceAll(text, v, "[REDACTED]")
		}
	}
	return text
}

// clientCanElicitURL: the client declared URL-mode elicitation (2025-11-25
// or later), per request in the modern protocol, per session before it.
func clientCanElicitURL(ctx context.Context) bool {
	if !clientCanElicit(ctx) {
		return false
	}
	if info := mcpserver.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		return info.ClientCapabilities.Elicitation.URL != nil
	}
	info, ok := mcpserver.ClientSessionFromContext(ctx).(mcpserver.SessionWithClientInfo)
	return ok && info.GetClientCapabilities().Elicitation != nil && info.GetClientCapabilities().Elicitation.URL != nil
}
