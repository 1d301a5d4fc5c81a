// quichs-quicgo-peer: a quic-go 0.29 endpoint speaking the quic-interop-runner endpoint contract without Docker.
//
// Environment: ROLE=client|server, TESTCASE=<case>, REQUESTS (client, space separated https:// URLs), WWW, DOWNLOADS,
// CERTS (cert.pem + priv.key), SSLKEYLOGFILE, QLOGDIR, HOST, PORT. Exit 0 on success, 1 on failure, 127 unsupported.
// hq-interop (HTTP/0.9 over a bidi stream: "GET /path\r\n") is used for every case except http3, which uses h3.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	quic "github.com/lucas-clemente/quic-go"
	"github.com/lucas-clemente/quic-go/http3"
	"github.com/lucas-clemente/quic-go/internal/handshake"
	"github.com/lucas-clemente/quic-go/internal/protocol"
	"github.com/lucas-clemente/quic-go/logging"
	"github.com/lucas-clemente/quic-go/qlog"
)

var errUnsupported = errors.New("unsupported test case")

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	var err error
	switch os.Getenv("ROLE") {
	case "server":
		err = runServer()
	case "client":
		err = runClient()
	default:
		err = fmt.Errorf("ROLE must be client or server")
	}
	if errors.Is(err, errUnsupported) {
		log.Printf("unsupported: %s", os.Getenv("TESTCASE"))
		os.Exit(127)
	}
	if err != nil {
		log.Printf("failed: %v", err)
		os.Exit(1)
	}
}

func keyLog() io.Writer {
	if p := os.Getenv("SSLKEYLOGFILE"); p != "" {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err == nil {
			return f
		}
	}
	return nil
}

func quicConfig(testcase string) *quic.Config {
	conf := &quic.Config{MaxIdleTimeout: 30 * time.Second}
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
	switch testcase {
	case "keyupdate":
		handshake.KeyUpdateInterval = 100
	case "v2":
		conf.Versions = []quic.VersionNumber{protocol.Version2, protocol.Version1}
	}
	return conf
}

func alpn(testcase string) string {
	if testcase == "http3" {
		return "h3"
	}
	return "hq-interop"
}

// ---------------------------------------------------------------- server

func runServer() error {
	testcase := os.Getenv("TESTCASE")
	switch testcase {
	case "handshake", "transfer", "multiplexing", "chacha20", "keyupdate", "retry", "resumption", "zerortt",
		"multiconnect", "handshakeloss", "transferloss", "http3", "v2", "certificates", "session":
	default:
		return errUnsupported
	}
	certs := env("CERTS", "/certs")
	cert, err := tls.LoadX509KeyPair(filepath.Join(certs, "cert.pem"), filepath.Join(certs, "priv.key"))
	if err != nil {
		return err
	}
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{alpn(testcase)}, KeyLogWriter: keyLog()}
	if testcase == "certificates" {
		tlsConf.ClientAuth = tls.RequestClientCert
	}
	conf := quicConfig(testcase)
	if testcase == "retry" {
		conf.RequireAddressValidation = func(net.Addr) bool { return true }
	}
	addr := net.JoinHostPort(env("HOST", "127.0.0.1"), env("PORT", "443"))
	www := env("WWW", "/www")
	if testcase == "http3" {
		srv := &http3.Server{Addr: addr, TLSConfig: tlsConf, QuicConfig: conf, Handler: http.FileServer(http.Dir(www))}
		log.Printf("h3 server listening on %s", addr)
		return srv.ListenAndServe()
	}
	ln, err := quic.ListenAddrEarly(addr, tlsConf, conf)
	if err != nil {
		return err
	}
	log.Printf("hq-interop server listening on %s", ln.Addr())
	for {
		conn, err := ln.Accept(context.Background())
		if err != nil {
			return err
		}
		go serveHQ(conn, www)
	}
}

func serveHQ(conn quic.EarlyConnection, www string) {
	for {
		str, err := conn.AcceptStream(context.Background())
		if err != nil {
			return
		}
		go func() {
			defer str.Close()
			line, err := bufio.NewReader(io.LimitReader(str, 4096)).ReadString('\n')
			if err != nil && line == "" {
				str.CancelWrite(1)
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if !strings.HasPrefix(line, "GET /") {
				str.CancelWrite(1)
				return
			}
			p := path.Clean(strings.TrimPrefix(line, "GET "))
			f, err := os.Open(filepath.Join(www, filepath.FromSlash(p)))
			if err != nil {
				str.CancelWrite(2)
				return
			}
			defer f.Close()
			_, _ = io.Copy(str, f)
		}()
	}
}

// ---------------------------------------------------------------- client

func runClient() error {
	testcase := os.Getenv("TESTCASE")
	urls := strings.Fields(os.Getenv("REQUESTS"))
	if len(urls) == 0 {
		return fmt.Errorf("REQUESTS is empty")
	}
	tlsConf := &tls.Config{
		InsecureSkipVerify: true,
		NextProtos:         []string{alpn(testcase)},
		KeyLogWriter:       keyLog(),
		ClientSessionCache: tls.NewLRUClientSessionCache(8),
	}
	if ca := os.Getenv("CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tlsConf.RootCAs = pool
		tlsConf.InsecureSkipVerify = false
	}
	conf := quicConfig(testcase)
	downloads := env("DOWNLOADS", "/downloads")
	switch testcase {
	case "handshake", "transfer", "multiplexing", "keyupdate", "retry", "handshakeloss", "transferloss", "v2", "certificates":
		return downloadAll(tlsConf, conf, urls, downloads, false)
	case "chacha20":
		tlsConf.CipherSuites = []uint16{tls.TLS_CHACHA20_POLY1305_SHA256}
		return downloadAll(tlsConf, conf, urls, downloads, false)
	case "multiconnect":
		for _, u := range urls {
			if err := downloadAll(tlsConf, conf, []string{u}, downloads, false); err != nil {
				return err
			}
		}
		return nil
	case "resumption", "zerortt", "session":
		if err := downloadAll(tlsConf, conf, urls[:1], downloads, false); err != nil {
			return err
		}
		return downloadAll(tlsConf, conf, urls[1:], downloads, testcase != "resumption")
	case "http3":
		return downloadH3(tlsConf, conf, urls, downloads)
	}
	return errUnsupported
}

func downloadAll(tlsConf *tls.Config, conf *quic.Config, urls []string, downloads string, early bool) error {
	if len(urls) == 0 {
		return nil
	}
	u0, err := url.Parse(urls[0])
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tc := tlsConf.Clone()
	tc.ServerName = u0.Hostname()
	var conn quic.Connection
	if early {
		ec, err := quic.DialAddrEarlyContext(ctx, u0.Host, tc, conf)
		if err != nil {
			return err
		}
		conn = ec
	} else {
		c, err := quic.DialAddrContext(ctx, u0.Host, tc, conf)
		if err != nil {
			return err
		}
		conn = c
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(urls))
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func(p string) {
			defer wg.Done()
			errs <- fetchHQ(ctx, conn, p, downloads)
		}(u.Path)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		if e != nil {
			_ = conn.CloseWithError(1, e.Error())
			return e
		}
	}
	if early {
		if ec, ok := conn.(quic.EarlyConnection); ok {
			<-ec.HandshakeComplete().Done()
			log.Printf("0-RTT used: %v", conn.ConnectionState().TLS.Used0RTT)
		}
	}
	log.Printf("resumed: %v", conn.ConnectionState().TLS.DidResume)
	return conn.CloseWithError(0, "")
}

func fetchHQ(ctx context.Context, conn quic.Connection, p string, downloads string) error {
	str, err := conn.OpenStreamSync(ctx)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(str, "GET %s\r\n", p); err != nil {
		return err
	}
	if err := str.Close(); err != nil {
		return err
	}
	out, err := os.Create(filepath.Join(downloads, filepath.FromSlash(path.Clean(p))))
	if err != nil {
		return err
	}
	defer out.Close()
	n, err := io.Copy(out, str)
	log.Printf("GET %s: %d bytes", p, n)
	return err
}

func downloadH3(tlsConf *tls.Config, conf *quic.Config, urls []string, downloads string) error {
	rt := &http3.RoundTripper{TLSClientConfig: tlsConf, QuicConfig: conf}
	defer rt.Close()
	client := &http.Client{Transport: rt, Timeout: 60 * time.Second}
	var wg sync.WaitGroup
	errs := make(chan error, len(urls))
	for _, raw := range urls {
		wg.Add(1)
		go func(raw string) {
			defer wg.Done()
			resp, err := client.Get(raw)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				errs <- fmt.Errorf("%s: status %d", raw, resp.StatusCode)
				return
			}
			u, _ := url.Parse(raw)
			out, err := os.Create(filepath.Join(downloads, filepath.FromSlash(path.Clean(u.Path))))
			if err != nil {
				errs <- err
				return
			}
			defer out.Close()
			n, err := io.Copy(out, resp.Body)
			log.Printf("GET %s: %d bytes", raw, n)
			errs <- err
		}(raw)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
