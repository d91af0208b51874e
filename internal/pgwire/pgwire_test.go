package pgwire

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPGConfig(t *testing.T) {
	t.Setenv("PGHOST", "")
	t.Setenv("PGPASSWORD", "")
	t.Setenv("PGSSLMODE", "")
	t.Setenv("PGDATABASE", "")
	t.Setenv("PGUSER", "")
	t.Setenv("PGPORT", "")
	c, err := ParseConfig("postgres://alice:s%40cret@db.example:6543/app?sslmode=verify-full&application_name=x&search_path=s")
	if err != nil {
		t.Fatal(err)
	}
	if c.host != "db.example" || c.port != "6543" || c.user != "alice" || c.password != "s@cret" || c.database != "app" ||
		c.sslMode != "verify-full" || c.tls == nil || c.tls.InsecureSkipVerify || c.tls.ServerName != "db.example" {
		t.Errorf("URL: %+v", c)
	}
	if len(c.params) != 2 {
		t.Errorf("startup parameters %v, want application_name and search_path", c.params)
	}

	c, err = ParseConfig(`host=/var/run/postgresql port=5433 user=bob password='it\'s a \\ me' dbname=d`)
	if err != nil {
		t.Fatal(err)
	}
	if n, a := c.network(); n != "unix" || a != "/var/run/postgresql/.s.PGSQL.5433" || c.tls != nil || c.password != `it's a \ me` {
		t.Errorf("keywords: %s %s %+v", n, a, c)
	}

	t.Setenv("PGPASSWORD", "from-env")
	t.Setenv("PGDATABASE", "envdb")
	c, err = ParseConfig("postgres://carol@localhost")
	if err != nil {
		t.Fatal(err)
	}
	if c.password != "from-env" || c.database != "envdb" || c.port != "5432" || c.sslMode != "prefer" || !c.tls.InsecureSkipVerify {
		t.Errorf("defaults: %+v", c)
	}

	for _, bad := range []string{
		"postgres://u:hunter2@a,b/db",
		"postgres://u:hunter2@h/db?sslmode=sometimes",
		"postgres://u:hunter2@h:99999/db",
		"postgres://u:hunter2@h/db?target_session_attrs=read-write",
		"host=h password='hunter2",
		"postgres://u:hunter2@h/db?sslrootcert=/nonexistent/root.crt",
		"postgres://u:hunter2@h/db?service=mine",
		"postgres://u:hunter2@h/db?gssencmode=require",
	} {
		_, err := ParseConfig(bad)
		if err == nil {
			t.Errorf("%s: no error", bad)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error repeats the password: %v", bad, err)
		}
	}
}

// RFC 7677's example exchange, with the client's values fixed.
func TestSCRAMVector(t *testing.T) {
	s := &scramClient{password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO"}
	s.clientFirst()
	s.clientFirstBare = "n=user,r=rOprNGfwEbeRWgbNEkqO" // the RFC names the user; PostgreSQL leaves it empty
	final, err := s.clientFinal([]byte("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="; string(final) != want {
		t.Errorf("client final %s\nwant %s", final, want)
	}
	if err := s.verifyServer([]byte("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")); err != nil {
		t.Error(err)
	}
	if err := s.verifyServer([]byte("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")); err == nil {
		t.Error("a wrong server signature was accepted")
	}
	// A server nonce that does not extend the client's is refused.
	s2 := &scramClient{password: "pencil", nonce: "abc"}
	s2.clientFirst()
	if _, err := s2.clientFinal([]byte("r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")); err == nil {
		t.Error("a foreign nonce was accepted")
	}
}

// fakeBackend is one scripted PostgreSQL server connection, for what the
// test cluster (trust, no TLS) cannot show: passwords and refused TLS.
type fakeBackend struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

// startFakeBackend serves one connection with serve and returns a URL
// without password for it.
func startFakeBackend(t *testing.T, serve func(b *fakeBackend)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		serve(&fakeBackend{t: t, nc: nc, r: bufio.NewReader(nc)})
	}()
	return "postgres://tester@" + ln.Addr().String() + "/db"
}

// startup reads the startup packet (answering an SSLRequest with ssl first)
// and returns its parameters, or nil when the client hung up or TLS begins.
func (b *fakeBackend) startup(ssl byte) map[string]string {
	for {
		var h [8]byte
		if _, err := io.ReadFull(b.r, h[:]); err != nil {
			return nil // the client gave up (checked by the test)
		}
		body := make([]byte, binary.BigEndian.Uint32(h[:])-8)
		io.ReadFull(b.r, body)
		if binary.BigEndian.Uint32(h[4:]) == 80877103 {
			b.nc.Write([]byte{ssl})
			if ssl == 'S' {
				return nil // the caller does the TLS handshake and reads the startup
			}
			continue
		}
		kv := splitCStrings(body)
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
}

func (b *fakeBackend) write(typ byte, body []byte) {
	msg := binary.BigEndian.AppendUint32([]byte{typ}, uint32(len(body)+4))
	b.nc.Write(append(msg, body...))
}

func (b *fakeBackend) read() (byte, []byte) {
	var h [5]byte
	if _, err := io.ReadFull(b.r, h[:]); err != nil {
		return 0, nil
	}
	body := make([]byte, binary.BigEndian.Uint32(h[1:])-4)
	io.ReadFull(b.r, body)
	return h[0], body
}

func (b *fakeBackend) auth(kind uint32, data ...byte) {
	b.write('R', append(binary.BigEndian.AppendUint32(nil, kind), data...))
}

func (b *fakeBackend) ready() {
	b.auth(0)
	b.write('K', []byte{0, 0, 0, 7, 1, 2, 3, 4})
	b.write('Z', []byte{'I'})
}

func (b *fakeBackend) refuse() {
	b.write('E', appendCStrings(nil, "SERROR", "VERROR", "C28P01", `Mpassword authentication failed for user "tester"`, ""))
}

func connectTo(t *testing.T, url string) (*Conn, error) {
	t.Helper()
	cfg, err := ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Connect(context.Background(), cfg)
	if err == nil {
		t.Cleanup(c.Close)
	}
	return c, err
}

func TestPGConnectSCRAM(t *testing.T) {
	const password = "correct horse"
	for _, tc := range []struct {
		name, password string
		badSignature   bool
		want           string // "" connects
	}{
		{"right password", password, false, ""},
		{"wrong password", "wrong", false, "28P01"},
		{"server without the password", password, true, "SCRAM signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := startFakeBackend(t, func(b *fakeBackend) {
				b.startup('N')
				b.auth(10, appendCStrings(nil, "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "")...)
				typ, body := b.read()
				mech := appendCStrings(nil, "SCRAM-SHA-256")
				if typ != 'p' || !strings.HasPrefix(string(body), string(mech)) {
					t.Errorf("SASLInitialResponse %c %q", typ, body)
					return
				}
				clientFirst := string(body[len(mech)+4:])
				clientFirstBare, ok := strings.CutPrefix(clientFirst, "n,,")
				if !ok {
					t.Errorf("client first %q", clientFirst)
				}
				nonce := strings.TrimPrefix(clientFirstBare, "n=,r=") + "srvnonce"
				salt := []byte("0123456789abcdef")
				serverFirst := "r=" + nonce + ",s=" + base64.StdEncoding.EncodeToString(salt) + ",i=4096"
				b.auth(11, []byte(serverFirst)...)
				_, final := b.read()
				withoutProof, proof64, _ := strings.Cut(string(final), ",p=")
				proof, _ := base64.StdEncoding.DecodeString(proof64)

				salted, _ := pbkdf2.Key(sha256.New, password, salt, 4096, 32)
				mac := func(key []byte, s string) []byte {
					h := hmac.New(sha256.New, key)
					h.Write([]byte(s))
					return h.Sum(nil)
				}
				authMsg := clientFirstBare + "," + serverFirst + "," + withoutProof
				storedKey := sha256.Sum256(mac(salted, "Client Key"))
				sig := mac(storedKey[:], authMsg)
				if len(proof) != len(sig) {
					b.refuse()
					return
				}
				for i := range proof {
					proof[i] ^= sig[i]
				}
				if got := sha256.Sum256(proof); got != storedKey || withoutProof != "c=biws,r="+nonce {
					b.refuse()
					return
				}
				serverSig := mac(mac(salted, "Server Key"), authMsg)
				if tc.badSignature {
					serverSig[0] ^= 1
				}
				b.auth(12, []byte("v="+base64.StdEncoding.EncodeToString(serverSig))...)
				b.ready()
				b.read() // Terminate
			})
			_, err := connectTo(t, strings.Replace(url, "tester@", "tester:"+strings.ReplaceAll(tc.password, " ", "%20")+"@", 1))
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error()+errCode(err), tc.want)):
				t.Fatalf("error %v, want %s", err, tc.want)
			}
		})
	}
}

func errCode(err error) string {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestPGConnectMD5AndCleartext(t *testing.T) {
	for _, kind := range []uint32{5, 3} {
		salt := []byte{9, 8, 7, 6}
		url := startFakeBackend(t, func(b *fakeBackend) {
			b.startup('N')
			if kind == 5 {
				b.auth(5, salt...)
			} else {
				b.auth(3)
			}
			_, body := b.read()
			inner := md5.Sum([]byte("pw" + "tester"))
			outer := md5.Sum(append([]byte(hex.EncodeToString(inner[:])), salt...))
			want := "md5" + hex.EncodeToString(outer[:])
			if kind == 3 {
				want = "pw"
			}
			if string(body) != want+"\x00" {
				b.refuse()
				return
			}
			b.ready()
			b.read()
		})
		if _, err := connectTo(t, strings.Replace(url, "tester@", "tester:pw@", 1)); err != nil {
			t.Errorf("auth %d: %v", kind, err)
		}
	}
	// No password to give: a clear error, nothing sent.
	url := startFakeBackend(t, func(b *fakeBackend) { b.startup('N'); b.auth(3); b.read() })
	if _, err := connectTo(t, url); err == nil || !strings.Contains(err.Error(), "password") {
		t.Errorf("without a password: %v", err)
	}
}

func TestPGConnectTLSRefused(t *testing.T) {
	// sslmode=require fails closed when the server has no TLS.
	url := startFakeBackend(t, func(b *fakeBackend) { b.startup('N') })
	if _, err := connectTo(t, url+"?sslmode=require"); err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Errorf("require without TLS: %v", err)
	}
	// prefer goes on in clear text, and sends the startup parameters.
	url = startFakeBackend(t, func(b *fakeBackend) {
		if p := b.startup('N'); p["user"] != "tester" || p["database"] != "db" || p["application_name"] != "t" {
			t.Errorf("startup parameters %v", p)
		}
		b.ready()
		b.read()
	})
	if _, err := connectTo(t, url+"?sslmode=prefer&application_name=t"); err != nil {
		t.Errorf("prefer without TLS: %v", err)
	}
}

// testCA writes a self-signed certificate for 127.0.0.1 and returns the
// server's TLS config and the certificate's file.
func testCA(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sandbox test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "root.crt")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, path
}

func TestPGConnectTLS(t *testing.T) {
	serverTLS, root := testCA(t)
	_, otherRoot := testCA(t)
	for _, tc := range []struct {
		query string
		ok    bool
	}{
		{"sslmode=require", true}, // unverified
		{"sslmode=verify-full&sslrootcert=" + root, true},
		{"sslmode=verify-ca&sslrootcert=" + root, true},
		{"sslmode=verify-full&sslrootcert=" + otherRoot, false},
		{"sslmode=verify-ca&sslrootcert=" + otherRoot, false},
		{"sslmode=require&sslrootcert=" + otherRoot, false},                    // as verify-ca, like libpq
		{"sslmode=verify-ca&sslrootcert=" + root + "&host=localhost", true},    // the name is not checked
		{"sslmode=verify-full&sslrootcert=" + root + "&host=localhost", false}, // the name is checked
	} {
		url := startFakeBackend(t, func(b *fakeBackend) {
			b.startup('S')
			tc := tls.Server(b.nc, serverTLS)
			if err := tc.Handshake(); err != nil {
				return // refused by the client
			}
			b.nc, b.r = tc, bufio.NewReader(tc)
			if p := b.startup(0); p["user"] != "tester" {
				t.Errorf("startup over TLS: %v", p)
			}
			b.ready()
			b.read()
		})
		_, err := connectTo(t, url+"?"+tc.query)
		if err != nil && !strings.Contains(err.Error(), "TLS") {
			t.Errorf("%s: error %v, want a TLS error", tc.query, err)
		}
		if tc.ok != (err == nil) {
			t.Errorf("%s: error %v", tc.query, err)
		}
	}
}
