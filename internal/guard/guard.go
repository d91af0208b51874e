// Package guard decides what may run: which tools and operations are exposed
// (feature groups, tool filters, read-only mode, project scope), whether a
// decoded call may be sent (scope of branches, SQL safety), and which calls
// need the user's confirmation first.
package guard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/client"
	"github.com/supabase-mcp/supabase-mcp/internal/tools"
)

// Confirmation policies (--confirm).
const (
	ConfirmAuto   = "auto"   // elicitation when the client supports it, else a token
	ConfirmElicit = "elicit" // elicitation only
	ConfirmToken  = "token"  // always the token flow
	ConfirmDeny   = "deny"   // destructive calls are refused
	ConfirmNone   = "none"   // no confirmation (unattended automation)
)

// Policy is what the command line asked for.
type Policy struct {
	ReadOnly   bool
	ProjectRef string
	Features   []string
	// Tools, when set, is the allow list ("tool" or "tool.operation") and
	// replaces the feature filter; DisabledTools is a deny list. A group
	// name (a tool's name before the read/write split) means both of its
	// tools.
	Tools         []string
	DisabledTools []string
	Confirm       string

	branches branchCache
}

// API is what the guard needs to look things up (branch ownership).
type API interface {
	Do(ctx context.Context, req *client.Request) (*client.Response, error)
}

// branchParam is the argument that addresses a branch by id or ref.
const branchParam = "branch_id_or_ref"

// Expose returns the tools the server lists, each with only the operations
// this policy allows.
func (p *Policy) Expose(c *tools.Catalogue) []*tools.ExposedTool {
	var out []*tools.ExposedTool
	for _, t := range c.Tools {
		e := &tools.ExposedTool{Tool: t, NoReveal: p.ReadOnly}
		for _, op := range t.Operations {
			if p.allows(op) {
				e.Operations = append(e.Operations, op)
				if p.Confirm == ConfirmDeny && op.NeedsConfirmation() {
					if e.Notes == nil {
						e.Notes = map[string]string{}
					}
					e.Notes[op.Name] = "refused on this server"
				}
			}
		}
		if len(e.Operations) == 0 {
			continue
		}
		if p.ProjectRef != "" {
			e.Hidden = map[string]bool{"ref": true}
		}
		if p.offersTokens() && e.NeedsConfirmation() {
			e.Extra = append(e.Extra, tools.ConfirmProperty)
		}
		out = append(out, e)
	}
	listed := map[string]bool{}
	for _, e := range out {
		if e.Access == tools.AccessRead {
			listed[e.Group] = true
		}
	}
	for _, e := range out {
		e.HeaderOnRead = e.Access == tools.AccessWrite && listed[e.Group]
	}
	return out
}

func (p *Policy) offersTokens() bool {
	return p.Confirm == ConfirmAuto || p.Confirm == ConfirmToken || p.Confirm == ""
}

// allows derives exposure from the catalogue: feature or tool filters,
// read-only mode (class read only) and project scope (no account-level
// operations; docs search touches no account and stays).
func (p *Policy) allows(op *tools.Operation) bool {
	names := []string{op.Tool.Name, op.QualifiedName(), op.Tool.Group, op.Tool.Group + "." + op.Name}
	listed := func(list []string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return slices.Contains(list, n) })
	}
	if len(p.Tools) > 0 {
		if !listed(p.Tools) {
			return false
		}
	} else if !slices.Contains(p.Features, op.Tool.Feature) {
		return false
	}
	if listed(p.DisabledTools) {
		return false
	}
	if p.ReadOnly && op.Class != tools.ClassRead {
		return false
	}
	if p.ProjectRef != "" && op.ManagementAPI() && !op.HasParam("ref") && !op.HasParam(branchParam) {
		return false // account-level: lists or creates things outside the project
	}
	return true
}

// Injected are the arguments the server fills in itself.
func (p *Policy) Injected() map[string]any {
	if p.ProjectRef == "" {
		return nil
	}
	return map[string]any{"ref": p.ProjectRef}
}

// Refusal is a call the guard will not let through; the text says why.
type Refusal struct{ Msg string }

func (r *Refusal) Error() string { return r.Msg }

func refuse(format string, a ...any) error { return &Refusal{fmt.Sprintf(format, a...)} }

// Check decides whether a decoded call may be sent. It returns a
// Confirmation when the call needs the user's consent first (how consent is
// asked is the server's business, per --confirm): every operation the rubric
// covers (Operation.NeedsConfirmation, sensitive arguments) and SQL the guard
// finds destructive. Nothing here sends a mutating request; a rollback's
// prompt GETs the migrations it would undo.
func (p *Policy) Check(ctx context.Context, call *tools.Call, api API) (*Confirmation, error) {
	sqlConf, err := p.check(ctx, call, api)
	if err != nil {
		return nil, err
	}
	if p.ReadOnly && call.Reveal() {
		return nil, refuse("this server is read-only and never shows secret values; they stay redacted")
	}
	return withReveal(call, joinConfirmations(p.operationConfirmation(ctx, call, api), sqlConf)), nil
}

// check applies exposure, branch scope and the SQL guard.
func (p *Policy) check(ctx context.Context, call *tools.Call, api API) (*Confirmation, error) {
	op := call.Op
	if !p.allows(op) {
		return nil, refuse("operation %s is not allowed on this server", op.QualifiedName())
	}
	if p.ProjectRef != "" {
		if id, ok := call.Args[branchParam].(string); ok {
			if err := p.checkBranch(ctx, api, id); err != nil {
				return nil, err
			}
		}
	}
	target := confirmTarget(call)
	if op.SQL != "" {
		sql, _ := call.Args[op.SQL].(string)
		if c, err := p.checkSQL(call, sql, target); c != nil || err != nil {
			return c, err
		}
	}
	return nil, nil
}

// operationConfirmation is the consent the operation itself needs, by the
// rubric (destructive, billable, sensitive), with every argument that
// decides the effect in Details; nil when it needs none.
func (p *Policy) operationConfirmation(ctx context.Context, call *tools.Call, api API) *Confirmation {
	op := call.Op
	sensitive := op.SensitiveCall(call.Args)
	if !op.NeedsConfirmation() && !sensitive {
		return nil
	}
	c := &Confirmation{
		Action:       describeCall(call),
		Reason:       op.Summary,
		Billable:     op.Billable,
		Irreversible: op.Irreversible,
		Target:       confirmTarget(call),
		Details:      callDetails(call),
	}
	if sensitive {
		c.Reason += " " + tools.SensitiveReason(op.Sensitive)
		if len(op.SensitiveArgs) > 0 {
			c.Reason += " (" + strings.Join(op.SensitiveArgs, ", ") + " is stored for a later operation to run.)"
		}
	}
	if isMigrationRollback(op) && p.Confirm != ConfirmNone { // --confirm none shows no prompt: no lookups
		c.Details = append(c.Details, rollbackDetails(ctx, api, call)...)
	}
	return c
}

// joinConfirmations makes one prompt of the operation's and the SQL guard's:
// the user consents once, to everything both found.
func joinConfirmations(opConf, sqlConf *Confirmation) *Confirmation {
	if opConf == nil {
		return sqlConf
	}
	if sqlConf == nil {
		return opConf
	}
	c := *opConf
	c.Details = append(slices.Clone(opConf.Details), "SQL guard: "+sqlConf.Action+": "+sqlConf.Reason)
	c.Details = append(c.Details, sqlConf.Details...)
	c.Irreversible = opConf.Irreversible || sqlConf.Irreversible
	c.Billable = opConf.Billable || sqlConf.Billable
	if c.Target == "" {
		c.Target = sqlConf.Target
	}
	return &c
}

// withReveal makes a call that asks for secrets in full (reveal: true)
// need the user's consent, on top of whatever else it needs.
func withReveal(call *tools.Call, c *Confirmation) *Confirmation {
	if !call.Reveal() {
		return c
	}
	const shows = "The result will show secret values (passwords, keys, tokens) in full, to the model and its provider."
	if c == nil {
		return &Confirmation{Action: describeCall(call), Reason: shows}
	}
	c.Details = append(c.Details, shows)
	return c
}

// describeCall names the operation and the resources it addresses.
func describeCall(call *tools.Call) string {
	s := call.Op.QualifiedName()
	for _, name := range call.Op.Params() {
		v, ok := call.Args[name]
		switch {
		case !ok || !call.Op.IsPathParam(name):
		case call.Op.IsSecretParam(name): // a claim token: never echoed
			s += fmt.Sprintf(" %s=<secret value, %d chars>", name, len(fmt.Sprint(v)))
		default:
			s += fmt.Sprintf(" %s=%v", name, v)
		}
	}
	return s
}

// confirmTarget is what the user types for an irreversible call: the most
// specific resource in the path (a branch, a function), else the project.
func confirmTarget(call *tools.Call) string {
	target := ""
	for _, name := range call.Op.Params() {
		if !call.Op.IsPathParam(name) || call.Op.IsSecretParam(name) {
			continue // a secret is no name to type
		}
		if v, ok := call.Args[name]; ok {
			target = fmt.Sprint(v)
		}
	}
	return target
}

// checkBranch proves that a branch belongs to the scoped project by listing
// that project's branches (cached briefly), before any request about the
// branch leaves.
func (p *Policy) checkBranch(ctx context.Context, api API, id string) error {
	if api == nil {
		return refuse("cannot verify that branch %s belongs to project %s", id, p.ProjectRef)
	}
	ids, err := p.branches.get(ctx, api, p.ProjectRef)
	if err != nil {
		// Not the API's message: it is untrusted text, and a refusal is plain.
		why := "the branch list could not be read"
		if apiErr, ok := errors.AsType[*client.APIError](err); ok {
			why = fmt.Sprintf("the API answered %d to the branch list", apiErr.Status)
		}
		return refuse("cannot verify that branch %s belongs to project %s: %s. Try again, or check the project with branches.list.", id, p.ProjectRef, why)
	}
	if !ids[id] {
		return refuse("branch %s does not belong to project %s, the only project this server may touch. List its branches with branches.list.", id, p.ProjectRef)
	}
	return nil
}

// branchCacheTTL bounds how stale the ownership list may be.
const branchCacheTTL = 30 * time.Second

// branchCache remembers, per API client (that is, per access token), which
// branch ids belong to the scoped project.
type branchCache struct {
	mu      sync.Mutex
	entries map[API]branchEntry
}

type branchEntry struct {
	ids     map[string]bool
	expires time.Time
}

// maxBranchCacheEntries bounds the cache when many tokens come and go (HTTP).
const maxBranchCacheEntries = 1024

func (c *branchCache) get(ctx context.Context, api API, ref string) (map[string]bool, error) {
	c.mu.Lock()
	if e, ok := c.entries[api]; ok && time.Now().Before(e.expires) {
		c.mu.Unlock()
		return e.ids, nil
	}
	c.mu.Unlock()
	resp, err := api.Do(ctx, &client.Request{Method: "GET", Path: "/v1/projects/" + ref + "/branches"})
	if err != nil {
		return nil, err
	}
	var list []struct {
		ID               string `json:"id"`
		ProjectRef       string `json:"project_ref"`
		ParentProjectRef string `json:"parent_project_ref"`
	}
	if err := json.Unmarshal(resp.Body, &list); err != nil {
		return nil, fmt.Errorf("unexpected branch list: %w", err)
	}
	ids := map[string]bool{}
	for _, b := range list {
		if b.ParentProjectRef == ref {
			ids[b.ID] = true
			ids[b.ProjectRef] = true
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxBranchCacheEntries {
		c.entries = map[API]branchEntry{}
	}
	c.entries[api] = branchEntry{ids: ids, expires: time.Now().Add(branchCacheTTL)}
	return ids, nil
}
