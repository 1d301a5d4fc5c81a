// quichs-quicgo-peer: a quic-go 0.29 endpoint speaking the quic-interop-runner endpoint contract without Docker.
//
// Environment: ROLE=client|server, TESTCASE=<case>, REQUESTS (client, space separated https:// URLs), WWW, DOWNLOADS,
// CERTS (server: cert.pem + priv.key; client in "certificates": ca.pem, client.pem, client.key), SSLKEYLOGFILE,
// QLOGDIR, HOST, PORT, and ALPN (quichs extension: "hq-interop" or "h3"; default h3 for the http3 case, else
// hq-interop). Exit 0 on success, 1 on failure, 127 for an unsupported case (after a line "unsupported: <reason>").
package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	quic "github.com/lucas-clemente/quic-go"
	"github.com/lucas-clemente/quic-go/internal/handshake"
	"github.com/lucas-clemente/quic-go/logging"
	"github.com/lucas-clemente/quic-go/qlog"
)

// unsupported is returned for a case this peer cannot run; its reason is printed before exit 127.
type unsupported struct{ reason string }

func (u unsupported) Error() string { return "unsupported: " + u.reason }

const alpnHQ = "hq-interop"
const alpnH3 = "h3"

// reservedVersion is a version of the 0x?a?a?a?a space (RFC 9000 §15) used to force Version Negotiation.
const reservedVersion = 0x1a2a3a4a

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	log.SetOutput(os.Stderr)
	var err error
	switch os.Getenv("ROLE") {
	case "server":
		err = runServer()
	case "client":
		err = runClient()
	default:
		err = fmt.Errorf("ROLE must be client or server")
	}
	var u unsupported
	if errors.As(err, &u) {
		fmt.Fprintf(os.Stderr, "unsupported: %s\n", u.reason)
		os.Exit(127)
	}
	if err != nil {
		log.Printf("failed: %v", err)
		os.Exit(1)
	}
	log.Printf("done")
}

// alpn is the application protocol of this run.
func alpn(testcase string) (string, error) {
	a := os.Getenv("ALPN")
	if a == "" {
		if testcase == "http3" {
			return alpnH3, nil
		}
		return alpnHQ, nil
	}
	if a != alpnHQ && a != alpnH3 {
		return "", fmt.Errorf("ALPN must be %s or %s, got %q", alpnHQ, alpnH3, a)
	}
	if testcase == "http3" && a != alpnH3 {
		return "", fmt.Errorf("the http3 case needs ALPN h3")
	}
	return a, nil
}

// checkCommonCases refuses what quic-go 0.29 cannot do in either role.
func checkCommonCases(testcase string) error {
	switch testcase {
	case "v2":
		return unsupported{"peer lacks RFC 9369: quic-go 0.29 implements only the draft QUIC v2 0x709a50c4 with a draft transport-parameter codepoint"}
	}
	return nil
}

func keyLog() io.Writer {
	if p := os.Getenv("SSLKEYLOGFILE"); p != "" {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err == nil {
			return f
		}
		log.Printf("cannot open key log %s: %v", p, err)
	}
	return nil
}

// quicConfig is the quic.Config both roles start from: qlog into QLOGDIR, generous timeouts (more still for
// "multiconnect", which the runner's handshakeloss case runs under 30% loss).
func quicConfig() *quic.Config {
	conf := &quic.Config{MaxIdleTimeout: 30 * time.Second, HandshakeIdleTimeout: 20 * time.Second}
	if os.Getenv("TESTCASE") == "multiconnect" {
		conf.MaxIdleTimeout = 120 * time.Second
		conf.HandshakeIdleTimeout = 60 * time.Second
	}
	if dir := os.Getenv("QLOGDIR"); dir != "" {
		_ = os.MkdirAll(dir, 0o755)
		conf.Tracer = qlog.NewTracer(func(p logging.Perspective, cid []byte) io.WriteCloser {
			role := "server"
			if p == logging.PerspectiveClient {
				role = "client"
			}
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s_%x.qlog", role, cid)))
			if err != nil {
				return nil
			}
			return f
		})
	}
	return conf
}

// initiateKeyUpdates makes this endpoint update its keys every 100 packets (as quic-go's own interop endpoint does).
func initiateKeyUpdates() {
	handshake.KeyUpdateInterval = 100
}

func certPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", file)
	}
	return pool, nil
}

func loadKeyPair(dir, cert, key string) (tls.Certificate, error) {
	return tls.LoadX509KeyPair(filepath.Join(dir, cert), filepath.Join(dir, key))
}
