package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
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
	"github.com/lucas-clemente/quic-go/internal/protocol"
)

// session is one QUIC connection that fetches files, over hq-interop or h3.
type session interface {
	fetch(ctx context.Context, rawURL string) error
	close() error
	state() quic.ConnectionState
}

type client struct {
	proto     string
	tlsConf   *tls.Config
	conf      *quic.Config
	downloads string
	tickets   chan struct{}
	tokens    chan struct{}
}

// sessionCache signals every session ticket it stores.
type sessionCache struct {
	tls.ClientSessionCache
	put chan<- struct{}
}

func (c *sessionCache) Put(key string, cs *tls.ClientSessionState) {
	c.ClientSessionCache.Put(key, cs)
	if cs != nil {
		select {
		case c.put <- struct{}{}:
		default:
		}
	}
}

// tokenStore signals every NEW_TOKEN token it stores.
type tokenStore struct {
	quic.TokenStore
	put chan<- struct{}
}

func (t *tokenStore) Put(key string, token *quic.ClientToken) {
	t.TokenStore.Put(key, token)
	select {
	case t.put <- struct{}{}:
	default:
	}
}

func runClient() error {
	testcase := os.Getenv("TESTCASE")
	if err := checkCommonCases(testcase); err != nil {
		return err
	}
	urls := strings.Fields(os.Getenv("REQUESTS"))
	if len(urls) == 0 {
		return fmt.Errorf("REQUESTS is empty")
	}
	proto, err := alpn(testcase)
	if err != nil {
		return err
	}
	c := &client{
		proto:     proto,
		conf:      quicConfig(),
		downloads: env("DOWNLOADS", "/downloads"),
		tickets:   make(chan struct{}, 16),
		tokens:    make(chan struct{}, 16),
	}
	c.tlsConf = &tls.Config{
		InsecureSkipVerify: true,
		NextProtos:         []string{proto},
		KeyLogWriter:       keyLog(),
		ClientSessionCache: &sessionCache{tls.NewLRUClientSessionCache(8), c.tickets},
	}
	c.conf.TokenStore = &tokenStore{quic.NewLRUTokenStore(4, 4), c.tokens}
	switch testcase {
	case "handshake", "transfer", "multiplexing", "retry", "transferloss", "http3":
		return c.downloadOnOneConnection(urls, false)
	case "keyupdate":
		initiateKeyUpdates()
		return c.downloadOnOneConnection(urls, false)
	case "keyupdate-server":
		return c.downloadOnOneConnection(urls, false)
	case "chacha20":
		c.tlsConf.CipherSuites = []uint16{tls.TLS_CHACHA20_POLY1305_SHA256}
		return c.downloadOnOneConnection(urls, false)
	case "certificates":
		certs := env("CERTS", "/certs")
		pool, err := certPool(filepath.Join(certs, "ca.pem"))
		if err != nil {
			return err
		}
		cert, err := loadKeyPair(certs, "client.pem", "client.key")
		if err != nil {
			return err
		}
		c.tlsConf.InsecureSkipVerify = false
		c.tlsConf.RootCAs = pool
		c.tlsConf.Certificates = []tls.Certificate{cert}
		return c.downloadOnOneConnection(urls, false)
	case "multiconnect":
		for _, u := range urls {
			if err := c.downloadOnOneConnection([]string{u}, false); err != nil {
				return err
			}
		}
		return nil
	case "resumption", "zerortt":
		return c.twoConnections(urls, c.tickets, "session ticket", testcase == "zerortt")
	case "retrytoken":
		return c.twoConnections(urls, c.tokens, "NEW_TOKEN token", false)
	case "versionnegotiation":
		// start with a reserved version; quic-go only dials versions it lists as supported
		protocol.SupportedVersions = append([]protocol.VersionNumber{reservedVersion}, protocol.SupportedVersions...)
		c.conf.Versions = []quic.VersionNumber{reservedVersion, protocol.Version1}
		return c.downloadOnOneConnection(urls, false)
	}
	return unsupported{"test case " + testcase + " is unknown to the quic-go peer"}
}

// twoConnections downloads the first URL, waits for `what` to arrive on `signal`, closes, then downloads the rest on
// a second connection (0-RTT requests when early).
func (c *client) twoConnections(urls []string, signal <-chan struct{}, what string, early bool) error {
	if len(urls) < 2 {
		return fmt.Errorf("this case needs at least 2 URLs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	first, err := c.open(ctx, urls[0], false)
	if err != nil {
		return err
	}
	if err := first.fetch(ctx, urls[0]); err != nil {
		_ = first.close()
		return err
	}
	select {
	case <-signal:
	case <-time.After(10 * time.Second):
		_ = first.close()
		return fmt.Errorf("no %s within 10 s", what)
	}
	if err := first.close(); err != nil {
		return err
	}
	second, err := c.open(ctx, urls[1], early)
	if err != nil {
		return err
	}
	err = fetchAll(ctx, second, urls[1:])
	st := second.state().TLS
	log.Printf("second connection: resumed=%v 0-RTT=%v", st.DidResume, st.Used0RTT)
	if cerr := second.close(); err == nil {
		err = cerr
	}
	return err
}

func (c *client) downloadOnOneConnection(urls []string, early bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	s, err := c.open(ctx, urls[0], early)
	if err != nil {
		return err
	}
	err = fetchAll(ctx, s, urls)
	if cerr := s.close(); err == nil {
		err = cerr
	}
	return err
}

func fetchAll(ctx context.Context, s session, urls []string) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(urls))
	for _, u := range urls {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			errs <- s.fetch(ctx, u)
		}(u)
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

func (c *client) open(ctx context.Context, rawURL string, early bool) (session, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	tc := c.tlsConf.Clone()
	tc.ServerName = u.Hostname()
	if c.proto == alpnH3 {
		return newH3Session(c, tc, early), nil
	}
	var conn quic.Connection
	if early {
		conn, err = quic.DialAddrEarlyContext(ctx, u.Host, tc, c.conf)
	} else {
		conn, err = quic.DialAddrContext(ctx, u.Host, tc, c.conf)
	}
	if err != nil {
		return nil, err
	}
	return &hqSession{conn: conn, downloads: c.downloads}, nil
}

func downloadPath(downloads string, u *url.URL) string {
	return filepath.Join(downloads, filepath.FromSlash(path.Clean("/"+u.Path)))
}

// ---------------------------------------------------------------- hq-interop

type hqSession struct {
	conn      quic.Connection
	downloads string
}

func (s *hqSession) fetch(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	str, err := s.conn.OpenStreamSync(ctx)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(str, "GET %s\r\n", u.Path); err != nil {
		return err
	}
	if err := str.Close(); err != nil {
		return err
	}
	out, err := os.Create(downloadPath(s.downloads, u))
	if err != nil {
		return err
	}
	defer out.Close()
	n, err := io.Copy(out, str)
	log.Printf("GET %s: %d bytes", u.Path, n)
	return err
}

func (s *hqSession) close() error {
	if ec, ok := s.conn.(quic.EarlyConnection); ok {
		select {
		case <-ec.HandshakeComplete().Done():
		case <-time.After(5 * time.Second):
		}
	}
	return s.conn.CloseWithError(0, "")
}

func (s *hqSession) state() quic.ConnectionState { return s.conn.ConnectionState() }

// ---------------------------------------------------------------- h3

type h3Session struct {
	rt        *http3.RoundTripper
	early     bool
	downloads string
	mu        sync.Mutex
	conn      quic.EarlyConnection
}

func newH3Session(c *client, tc *tls.Config, early bool) *h3Session {
	s := &h3Session{early: early, downloads: c.downloads}
	// http3.RoundTripper insists on one version; the versionnegotiation case dials with a reserved one first
	rtConf := c.conf.Clone()
	versions := c.conf.Versions
	if len(versions) > 1 {
		rtConf.Versions = versions[len(versions)-1:]
	}
	s.rt = &http3.RoundTripper{
		TLSClientConfig: tc,
		QuicConfig:      rtConf,
		Dial: func(ctx context.Context, addr string, tlsCfg *tls.Config, cfg *quic.Config) (quic.EarlyConnection, error) {
			dialConf := cfg.Clone()
			if len(versions) > 0 {
				dialConf.Versions = versions
			}
			conn, err := quic.DialAddrEarlyContext(ctx, addr, tlsCfg, dialConf)
			if err == nil {
				if !early {
					// without 0-RTT the requests wait for the handshake
					select {
					case <-conn.HandshakeComplete().Done():
					case <-ctx.Done():
						return nil, ctx.Err()
					}
				}
				s.mu.Lock()
				s.conn = conn
				s.mu.Unlock()
			}
			return conn, err
		},
	}
	return s
}

func (s *h3Session) fetch(ctx context.Context, rawURL string) error {
	method := http.MethodGet
	if s.early {
		method = http3.MethodGet0RTT
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
	if err != nil {
		return err
	}
	resp, err := s.rt.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", rawURL, resp.StatusCode)
	}
	out, err := os.Create(downloadPath(s.downloads, req.URL))
	if err != nil {
		return err
	}
	defer out.Close()
	n, err := io.Copy(out, resp.Body)
	log.Printf("GET %s: %d bytes", req.URL.Path, n)
	return err
}

func (s *h3Session) close() error {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn != nil {
		select {
		case <-conn.HandshakeComplete().Done():
		case <-time.After(5 * time.Second):
		}
	}
	return s.rt.Close()
}

func (s *h3Session) state() quic.ConnectionState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return quic.ConnectionState{}
	}
	return s.conn.ConnectionState()
}
