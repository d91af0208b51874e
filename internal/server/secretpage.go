package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// secretPages serves the one-time pages where the user types a secret value
// that must not pass through the model. Each page lives at an unguessable
// path (130 random bits), accepts one successful submission, expires after
// its TTL, and sends nothing that a cache, a referrer or a frame could keep.
// Without an HTTP listener of the server's own (stdio), each page gets its
// own listener on 127.0.0.1 and a random port, closed when the page is done.
type secretPages struct {
	log *slog.Logger
	ttl time.Duration

	mu        sync.Mutex
	pages     map[string]*secretPage // by path id
	byBinding map[string]*secretPage // the page of a pending call
	// base is the server's own HTTP origin (http://127.0.0.1:port) when it
	// serves HTTP on a loopback address; "" means a listener per page.
	base string
	// disabled: the server listens where no page URL can be given (not
	// loopback), so no secret is asked for by page.
	disabled bool
}

// secretPagePath is where pages live on the server's own HTTP listener.
const secretPagePath = "/secret-entry/"

// maxSecretPageBytes bounds a form submission.
const maxSecretPageBytes = 256 << 10

type secretPage struct {
	id, csrf, binding string
	action            string   // what the call does, for the user
	labels            []string // the values asked for
	// check validates the values as the call will (length rules) without
	// repeating them; its error is shown on the page.
	check   func([]string) error
	origin  string // scheme://host:port of the page
	url     string
	expires time.Time

	done   chan struct{} // closed on submission
	values []string
	own    *http.Server // the page's own listener, or nil
	timer  *time.Timer
}

func newSecretPages(log *slog.Logger, ttl time.Duration) *secretPages {
	return &secretPages{log: log, ttl: ttl, pages: map[string]*secretPage{}, byBinding: map[string]*secretPage{}}
}

// setBase makes pages live on the server's own HTTP listener.
func (sp *secretPages) setBase(base string) {
	sp.mu.Lock()
	sp.base = strings.TrimRight(base, "/")
	sp.mu.Unlock()
}

func (sp *secretPages) disable() {
	sp.mu.Lock()
	sp.disabled = true
	sp.mu.Unlock()
}

// available reports whether pages can be opened.
func (sp *secretPages) available() bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return !sp.disabled
}

// open creates the page for a call (binding), replacing an older one.
func (sp *secretPages) open(binding, action string, labels []string, check func([]string) error) (*secretPage, error) {
	p := &secretPage{
		id: rand.Text(), csrf: rand.Text(), binding: binding, action: action, labels: labels, check: check,
		expires: time.Now().Add(sp.ttl), done: make(chan struct{}),
	}
	sp.mu.Lock()
	base := sp.base
	sp.mu.Unlock()
	if base == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		base = "http://" + ln.Addr().String()
		p.own = &http.Server{Handler: sp, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
			ErrorLog: slog.NewLogLogger(sp.log.Handler(), slog.LevelWarn)}
		go p.own.Serve(ln)
	}
	p.origin = base
	p.url = base + secretPagePath + p.id
	sp.mu.Lock()
	if old := sp.byBinding[binding]; old != nil {
		sp.removeLocked(old)
	}
	sp.pages[p.id] = p
	sp.byBinding[binding] = p
	p.timer = time.AfterFunc(sp.ttl, func() { sp.remove(p) })
	sp.mu.Unlock()
	return p, nil
}

// pending is the open page of a call, or nil.
func (sp *secretPages) pending(binding string) *secretPage {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	p := sp.byBinding[binding]
	if p == nil || time.Now().After(p.expires) {
		return nil
	}
	return p
}

func (sp *secretPages) remove(p *secretPage) {
	sp.mu.Lock()
	sp.removeLocked(p)
	sp.mu.Unlock()
}

func (sp *secretPages) removeLocked(p *secretPage) {
	if sp.pages[p.id] == p {
		delete(sp.pages, p.id)
	}
	if sp.byBinding[p.binding] == p {
		delete(sp.byBinding, p.binding)
	}
	if p.timer != nil {
		p.timer.Stop()
	}
	if p.own != nil {
		go func() { // lets a "done" answer in flight finish
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = p.own.Shutdown(ctx)
		}()
	}
}

// wait returns the values once the user submitted them, or an error when
// ctx ends or the page expires first.
func (sp *secretPages) wait(ctx context.Context, p *secretPage) ([]string, error) {
	t := time.NewTimer(time.Until(p.expires))
	defer t.Stop()
	select {
	case <-p.done:
		return p.values, nil
	case <-ctx.Done():
		sp.remove(p)
		return nil, ctx.Err()
	case <-t.C:
		sp.remove(p)
		return nil, errSecretPageExpired
	}
}

var errSecretPageExpired = errors.New("the page expired before the value was entered")

// secretPageView is what one rendering of a page shows.
type secretPageView struct {
	Done        bool
	Action      string
	Labels      []string
	CSRF, Error string
}

// writeSecretPage renders the page. Every value is escaped for HTML text
// and double-quoted attributes, the only places values go. (Not
// html/template: its reflection makes the linker keep every exported method
// in the binary, several MB on every start, for one fixed page.)
func writeSecretPage(w io.Writer, v secretPageView) error {
	var b strings.Builder
	b.WriteString(secretPageHead)
	if v.Done {
		b.WriteString(`<h1>Done</h1><p>The value was handed to the server. You can close this page and go back to your MCP client.</p>` + "\n")
	} else {
		b.WriteString("<h1>Enter a secret value</h1>\n<p>" + html.EscapeString(v.Action) + "</p>\n")
		b.WriteString("<p>What you type here goes to Supabase with this one call. The AI model never sees it, and it is not logged.</p>\n")
		if v.Error != "" {
			b.WriteString(`<p class="err">` + html.EscapeString(v.Error) + "</p>")
		}
		b.WriteString("\n" + `<form method="post" autocomplete="off">` + "\n")
		b.WriteString(`<input type="hidden" name="csrf" value="` + html.EscapeString(v.CSRF) + `">` + "\n")
		for i, l := range v.Labels {
			id := "v" + strconv.Itoa(i)
			b.WriteString(`<label for="` + id + `">` + html.EscapeString(l) + `</label><input type="password" id="` + id + `" name="` + id + `" autocomplete="new-password" required>` + "\n")
		}
		b.WriteString(`<button type="submit">Send to Supabase</button>` + "\n</form>")
	}
	b.WriteString("\n</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

const secretPageHead = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="referrer" content="no-referrer"><title>supabase-mcp: enter a secret value</title>
<style>body{font:16px system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em}label{display:block;margin:1em 0 .3em;font-weight:600}input[type=password]{width:100%;font:inherit;padding:.4em}.err{color:#a00}button{margin-top:1.2em;font:inherit;padding:.4em 1.2em}</style>
</head><body>
`

func (sp *secretPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store, max-age=0")
	h.Set("Pragma", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	id, ok := strings.CutPrefix(r.URL.Path, secretPagePath)
	sp.mu.Lock()
	p := sp.pages[id]
	sp.mu.Unlock()
	// The Host must be the page's own (no DNS rebinding to another name).
	if !ok || p == nil || time.Now().After(p.expires) || "http://"+r.Host != p.origin {
		http.Error(w, "This page does not exist, was used already or has expired.", http.StatusNotFound)
		return
	}
	data := secretPageView{Action: p.action, Labels: p.labels, CSRF: p.csrf}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		// A form posted from another page (CSRF) carries another Origin.
		if o := r.Header.Get("Origin"); o != "" && o != p.origin {
			http.Error(w, "Forbidden.", http.StatusForbidden)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxSecretPageBytes)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "The form could not be read.", http.StatusBadRequest)
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(p.csrf)) != 1 {
			http.Error(w, "Forbidden.", http.StatusForbidden)
			return
		}
		values := make([]string, len(p.labels))
		for i := range values {
			values[i] = r.PostForm.Get("v" + strconv.Itoa(i))
		}
		if err := p.check(values); err != nil {
			data.Error = err.Error()
			w.WriteHeader(http.StatusBadRequest)
			break
		}
		sp.mu.Lock()
		if sp.pages[p.id] != p { // submitted twice at once: the first one counts
			sp.mu.Unlock()
			http.Error(w, "This page was used already.", http.StatusNotFound)
			return
		}
		delete(sp.pages, p.id) // single use; byBinding keeps it for the waiting call
		p.values = values
		close(p.done)
		sp.mu.Unlock()
		data.Done = true
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	if err := writeSecretPage(w, data); err != nil {
		sp.log.Warn("secret page", "error", err.Error())
	}
}
