package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Call is a decoded, validated call of one operation.
type Call struct {
	Op *Operation
	// Args are the operation's arguments after validation and repair of type
	// slips, with injected arguments (the scoped project ref) filled in.
	Args map[string]any
	// Extra holds arguments that belong to the server, not to the request
	// (such as a confirmation token).
	Extra map[string]any
	// Request points to the operation's typed request struct.
	Request any
	// userSecrets are the values the user is to enter (usersecrets.go).
	userSecrets []UserSecret
}

// ArgumentError is a mistake in the arguments; its text tells the model what
// to change.
type ArgumentError struct{ Msg string }

func (e *ArgumentError) Error() string { return e.Msg }

func argErr(format string, a ...any) error { return &ArgumentError{fmt.Sprintf(format, a...)} }

// ScopeError is an argument that names something outside --project-ref.
type ScopeError struct{ Msg string }

func (e *ScopeError) Error() string { return e.Msg }

// maxOperationName is longer than any operation name: a longer one is not
// quoted back.
const maxOperationName = 64

func accessVerb(access string) string {
	if access == AccessRead {
		return "reads"
	}
	return "changes things"
}

// Decode validates raw arguments strictly for the operation they name.
// injected holds arguments the server sets itself; a call that gives another
// value for one of them is refused.
func (e *ExposedTool) Decode(args map[string]any, injected map[string]any) (*Call, error) {
	opName, _ := args["operation"].(string)
	if opName == "" {
		return nil, argErr("operation is required: one of %s.", strings.Join(e.OperationNames(), ", "))
	}
	op := e.Operation(opName)
	if op == nil {
		if len(opName) > maxOperationName { // the client's text: neither echoed nor compared whole
			return nil, argErr("%s has no operation of that name (%d characters). Operations: %s.", e.Name, len(opName), strings.Join(e.OperationNames(), ", "))
		}
		msg := fmt.Sprintf("%s has no operation %q", e.Name, opName)
		if near := closest(opName, e.OperationNames(), 3); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, " or ") + "?"
		}
		if e.Tool.Operation(opName) != nil {
			msg = fmt.Sprintf("operation %s.%s is disabled on this server (read-only mode, project scope or tool filters)", e.Name, opName)
		} else if other := e.Tool.Sibling(); other != nil && other.Operation(opName) != nil {
			msg = fmt.Sprintf("%s has no operation %q: it is on %s (%s only %s). Call %s with the same arguments, if this server lists it", e.Name, opName, other.Name, e.Name, accessVerb(e.Access), other.Name)
		}
		return nil, argErr("%s Operations: %s.", endSentence(msg), strings.Join(e.OperationNames(), ", "))
	}

	if op.args(); op.reflectErr != nil {
		return nil, op.reflectErr // a catalogue defect, caught by Catalogue.Check in tests
	}
	args, userSecrets, err := op.planUserSecrets(args)
	if err != nil {
		return nil, err
	}
	call := &Call{Op: op, Args: map[string]any{}, Extra: map[string]any{}, userSecrets: userSecrets}
	var reveal any // reveal: true on an operation without its own reveal parameter
	for _, key := range sortedKeys(args) {
		val := args[key]
		if key == "operation" {
			continue
		}
		if x := e.extra(key); x != nil {
			v, err := validate(x.Schema, val, key)
			if err != nil {
				return nil, argErr("%v.", err)
			}
			call.Extra[key] = v
			continue
		}
		if want, ok := injected[key]; ok {
			if val != nil && fmt.Sprint(val) != fmt.Sprint(want) {
				return nil, &ScopeError{fmt.Sprintf("this server is scoped to project %v; the %s given is outside that scope. Leave %s out: the server fills it in.", want, key, key)}
			}
			continue
		}
		p := op.param(key)
		if p == nil && key == RevealArgument && op.Revealable() && !e.NoReveal {
			if val == nil {
				continue
			}
			v, err := validate(revealSchema, val, key)
			if err != nil {
				return nil, argErr("%v (operation %s).", err, op.Name)
			}
			reveal = v
			continue
		}
		if p == nil {
			return nil, e.unknownArgument(op, key)
		}
		if val == nil { // an explicit null means "not given"
			continue
		}
		v, err := validate(p.schema, val, key)
		if err != nil {
			return nil, argErr("%v (operation %s). %s", err, op.Name, e.signature(op))
		}
		call.Args[key] = v
	}
	for k, v := range injected {
		if op.HasParam(k) {
			call.Args[k] = v
		}
	}
	var missing []string
	for _, p := range op.args() {
		if _, ok := call.Args[p.name]; p.required && !ok {
			missing = append(missing, p.name)
		}
	}
	if len(missing) > 0 {
		return nil, argErr("operation %s needs %s. %s", op.Name, strings.Join(missing, ", "), e.signature(op))
	}

	req := reflect.New(op.request)
	raw, err := json.Marshal(call.Args)
	if err != nil {
		return nil, argErr("arguments cannot be encoded: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(req.Interface()); err != nil {
		// validate() already matched the schema; this is a struct the
		// schema does not describe faithfully.
		return nil, argErr("arguments do not fit operation %s: %v. %s", op.Name, err, e.signature(op))
	}
	if v, ok := req.Interface().(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, argErr("%v. %s", err, e.signature(op))
		}
	}
	call.Request = req.Interface()
	if reveal != nil {
		// In Args, not Extra: the confirmation binds the call's arguments,
		// so a consent given without reveal cannot be reused with it.
		call.Args[RevealArgument] = reveal
	}
	return call, nil
}

func (e *ExposedTool) extra(name string) *ExtraProperty {
	for i := range e.Extra {
		if e.Extra[i].Name == name {
			return &e.Extra[i]
		}
	}
	return nil
}

func (e *ExposedTool) unknownArgument(op *Operation, key string) error {
	var owners []string
	for _, other := range e.Operations {
		if other.HasParam(key) {
			owners = append(owners, other.Name)
		}
	}
	if len(owners) > 0 {
		return argErr("operation %s takes no argument %s (that is for %s). %s", op.Name, key, strings.Join(owners, ", "), e.signature(op))
	}
	msg := fmt.Sprintf("unknown argument %s for operation %s", key, op.Name)
	var names []string
	for _, p := range op.args() {
		if !e.Hidden[p.name] {
			names = append(names, p.name)
		}
	}
	if near := closest(key, names, 3); len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, " or ") + "?"
	}
	return argErr("%s %s", endSentence(msg), e.signature(op))
}

// endSentence ends s with a full stop unless it already ends a sentence
// ("did you mean x?" takes none after it).
func endSentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

// signature is "Usage: get(ref)", for error texts.
func (e *ExposedTool) signature(op *Operation) string {
	return "Usage: " + e.signatureOf(op) + "."
}
