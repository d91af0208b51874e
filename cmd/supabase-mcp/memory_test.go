package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// memory reads a process's resident set and its peak, in MiB (Linux).
func memory(t *testing.T, pid int) (rss, peak float64) {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skip("no /proc: cannot measure memory here")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		if name == "VmRSS" {
			rss = kb / 1024
		} else {
			peak = kb / 1024
		}
	}
	return rss, peak
}

// hostileLine is a tools/call whose one argument is n bytes.
func hostileLine(id string, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"jsonrpc":"2.0","id":%q,"method":"tools/call","params":{"name":"projects_read","arguments":{"operation":"list","x":"`, id)
	b.Write(bytes.Repeat([]byte("a"), n))
	b.WriteString("\"}}}\n")
	return b.Bytes()
}

const memoryBudgetMiB = 100

// A hostile 50 MB argument over stdio is refused without being held: peak
// RSS stays within 100 MiB of the baseline. So does one just under the
// message cap but over the argument cap.
func TestStdioHostileArgumentMemory(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, token)
	p := startPeer(t, bin, []string{"SUPABASE_ACCESS_TOKEN=" + token, "SUPABASE_API_URL=" + api.URL()})
	p.initialize()
	p.send(toolCall("warm", "projects_read", map[string]any{"operation": "list"}))
	p.wait("warm", 20*time.Second)
	time.Sleep(time.Second) // past the start-up GC delay
	base, _ := memory(t, p.cmd.Process.Pid)

	p.sendRaw(hostileLine("huge", 50<<20))
	text, isErr, ok := resultText(p.wait("huge", 60*time.Second))
	if !ok || !isErr || !strings.Contains(text, "too large") || !strings.Contains(text, "nothing was sent") {
		t.Fatalf("50 MB argument: %s", text)
	}
	p.sendRaw(hostileLine("large", 4<<20+512<<10)) // under --max-request-bytes, over --max-argument-bytes
	text, isErr, ok = resultText(p.wait("large", 60*time.Second))
	if !ok || !isErr || !strings.Contains(text, "too large") {
		t.Fatalf("4.5 MiB argument: %s", text)
	}
	// A huge message of another kind gets a JSON-RPC error.
	p.sendRaw([]byte(`{"jsonrpc":"2.0","id":"hugeping","method":"ping","params":{"x":"` + strings.Repeat("b", 20<<20) + "\"}}\n"))
	p.wait("hugeping", 60*time.Second)
	p.send(toolCall("after", "projects_read", map[string]any{"operation": "list"}))
	if _, isErr, _ := resultText(p.wait("after", 20*time.Second)); isErr {
		t.Fatal("a normal call failed after the hostile ones")
	}
	_, peak := memory(t, p.cmd.Process.Pid)
	t.Logf("stdio: baseline RSS %.1f MiB, peak %.1f MiB after 50 MB, 4.5 MiB and 20 MB messages (+%.1f MiB)", base, peak, peak-base)
	if peak-base > memoryBudgetMiB {
		t.Fatalf("peak RSS grew by %.1f MiB (baseline %.1f, peak %.1f)", peak-base, base, peak)
	}
	if n := len(api.Requests()); n != 2 {
		t.Fatalf("%d API requests, want the 2 normal lists", n)
	}
}

// Over HTTP a 50 MB body gets 413 (with or without Content-Length) and
// peak RSS stays within 100 MiB of the baseline.
func TestHTTPHostileBodyMemory(t *testing.T) {
	bin := buildBinary(t)
	api := sandbox.NewFromEnv(t, token)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "--transport", "http", "--listen", addr, "--confirm", "none") // the deploy below needs no confirmation, whatever its class
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "SUPABASE_ACCESS_TOKEN=" + token, "SUPABASE_API_URL=" + api.URL()}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	url := "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 200 {
			t.Fatalf("server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	post := func(body io.Reader, header map[string]string) *http.Response {
		req, _ := http.NewRequest("POST", url+"/mcp", body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	// A session to call tools in, and one normal call.
	resp := post(strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"m","version":"1"}}}`), nil)
	session := map[string]string{"Mcp-Session-Id": resp.Header.Get("Mcp-Session-Id"), "Mcp-Protocol-Version": "2025-11-25"}
	if resp.StatusCode != 200 || session["Mcp-Session-Id"] == "" {
		t.Fatalf("initialize: %d", resp.StatusCode)
	}
	if resp := post(strings.NewReader(`{"jsonrpc":"2.0","id":"1","method":"tools/call","params":{"name":"projects_read","arguments":{"operation":"list"}}}`), session); resp.StatusCode != 200 {
		t.Fatalf("normal call: %d", resp.StatusCode)
	}
	time.Sleep(time.Second)
	base, _ := memory(t, cmd.Process.Pid)

	huge := hostileLine("2", 50<<20)
	if resp := post(bytes.NewReader(huge), session); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("50 MB with Content-Length: %d", resp.StatusCode)
	}
	if resp := post(io.MultiReader(bytes.NewReader(huge)), session); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("50 MB chunked: %d", resp.StatusCode)
	}
	if resp := post(bytes.NewReader(hostileLine("3", 4<<20+512<<10)), session); resp.StatusCode != 200 {
		t.Fatalf("4.5 MiB call: %d", resp.StatusCode) // a tool error inside
	}
	_, peak := memory(t, cmd.Process.Pid)
	// A function deploy of 3 MiB of source still fits the default bounds.
	deploy, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": "4", "method": "tools/call", "params": map[string]any{"name": "functions_write", "arguments": map[string]any{
		"operation": "deploy", "ref": sandbox.SeedProjectActive, "slug": "big", "entrypoint_path": "index.ts",
		"files": []any{map[string]any{"name": "index.ts", "content": "// " + strings.Repeat("export const x = 1;\n", 3<<20/20)}},
	}}})
	if resp := post(bytes.NewReader(deploy), session); resp.StatusCode != 200 {
		t.Fatalf("3 MiB deploy: %d", resp.StatusCode)
	}
	t.Logf("http: baseline RSS %.1f MiB, peak %.1f MiB after two 50 MB bodies and a 4.5 MiB call (+%.1f MiB)", base, peak, peak-base)
	if peak-base > memoryBudgetMiB {
		t.Fatalf("peak RSS grew by %.1f MiB (baseline %.1f, peak %.1f)", peak-base, base, peak)
	}
	var deployed bool
	for _, r := range api.Requests() {
		deployed = deployed || strings.HasSuffix(r.Path, "/functions/deploy")
	}
	if n := len(api.Requests()); n != 2 || !deployed {
		t.Fatalf("%d API requests (deploy %v), want the normal list and the deploy", n, deployed)
	}
}
