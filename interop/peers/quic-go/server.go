package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	quic "github.com/lucas-clemente/quic-go"
	"github.com/lucas-clemente/quic-go/http3"
)

func runServer() error {
	testcase := os.Getenv("TESTCASE")
	if err := checkCommonCases(testcase); err != nil {
		return err
	}
	switch testcase {
	case "handshake", "transfer", "multiplexing", "chacha20", "keyupdate", "keyupdate-server", "retry", "retrytoken",
		"resumption", "zerortt", "multiconnect", "transferloss", "http3", "versionnegotiation", "certificates":
	default:
		return unsupported{"test case " + testcase + " is unknown to the quic-go peer"}
	}
	proto, err := alpn(testcase)
	if err != nil {
		return err
	}
	certs := env("CERTS", "/certs")
	cert, err := loadKeyPair(certs, "cert.pem", "priv.key")
	if err != nil {
		return err
	}
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{proto}, KeyLogWriter: keyLog()}
	conf := quicConfig()
	switch testcase {
	case "certificates":
		pool, err := certPool(filepath.Join(certs, "ca.pem"))
		if err != nil {
			return err
		}
		tlsConf.ClientAuth = tls.RequireAndVerifyClientCert
		tlsConf.ClientCAs = pool
	case "chacha20":
		tlsConf.CipherSuites = []uint16{tls.TLS_CHACHA20_POLY1305_SHA256}
	case "keyupdate-server":
		initiateKeyUpdates()
	case "retry", "retrytoken":
		// every Initial without a valid token gets a Retry; a NEW_TOKEN token from an earlier connection is valid
		conf.RequireAddressValidation = func(net.Addr) bool { return true }
	}
	addr := net.JoinHostPort(env("HOST", "127.0.0.1"), env("PORT", "443"))
	www := env("WWW", "/www")
	// ListenAddrEarly: 0-RTT is accepted (quic-go 0.29 enables early data on "early" listeners)
	ln, err := quic.ListenAddrEarly(addr, tlsConf, conf)
	if err != nil {
		return err
	}
	log.Printf("%s server listening on %s (%s)", proto, ln.Addr(), testcase)
	if proto == alpnH3 {
		srv := &http3.Server{TLSConfig: tlsConf, QuicConfig: conf, Handler: http.FileServer(http.Dir(www))}
		return srv.ServeListener(ln)
	}
	for {
		conn, err := ln.Accept(context.Background())
		if err != nil {
			return err
		}
		state := conn.ConnectionState().TLS
		log.Printf("accepted %s (resumed=%v)", conn.RemoteAddr(), state.DidResume)
		go serveHQ(conn, www)
	}
}

// serveHQ answers HTTP/0.9 requests ("GET /path\r\n") on every bidirectional stream of the connection.
func serveHQ(conn quic.EarlyConnection, www string) {
	for {
		str, err := conn.AcceptStream(context.Background())
		if err != nil {
			return
		}
		go serveHQStream(str, www)
	}
}

func serveHQStream(str quic.Stream, www string) {
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
		log.Printf("GET %s: %v", p, err)
		str.CancelWrite(2)
		return
	}
	defer f.Close()
	n, err := io.Copy(str, f)
	log.Printf("GET %s: %d bytes sent (%v)", p, n, err)
}
