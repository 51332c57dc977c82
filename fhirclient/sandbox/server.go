package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Paths of the sandbox, laid out as Epic's are.
const (
	basePath  = "/api/FHIR/R4"
	tokenPath = "/oauth2/token"
)

// Server is a local Epic-like FHIR R4 server. Its methods are safe for
// concurrent use.
type Server struct {
	opts    Options
	url     string // scheme://host:port clients use; "" = from each request
	mux     *http.ServeMux
	data    *store
	pages   *pageCache
	tokens  *tokenStore
	jtis    *jtiCache
	faults  *faultState
	stats   stats
	log     requestLog
	clients sync.Map // client id → *client
	jobs    *jobTable
	bulk    bulkGen

	httpSrv  *http.Server
	stopping chan struct{} // closed by Close and Shutdown: ends injected delays
	stopOnce sync.Once
}

// New builds a server and its data without listening: serve Handler, or
// use Start.
func New(opts Options) (*Server, error) {
	opts = opts.withDefaults()
	s := &Server{
		opts:   opts,
		url:    strings.TrimSuffix(opts.PublicURL, "/"),
		data:   newStore(),
		pages:  newPageCache(),
		tokens: newTokenStore(),
		jtis:   newJTICache(),
		faults: newFaultState(opts.Faults),
		log:    newRequestLog(requestLogSize),
		jobs:   newJobTable(),
		bulk:   newBulkGen(opts.Seed, opts.Population),

		stopping: make(chan struct{}),
	}
	for _, c := range opts.Clients {
		if err := s.AddClient(c); err != nil {
			return nil, err
		}
	}
	if err := s.loadData(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// Start builds a server and serves it on addr ("127.0.0.1:0" picks a free
// port) in the background until Close.
func Start(addr string, opts Options) (*Server, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if s.url == "" {
		s.url = "http://" + ln.Addr().String()
	}
	s.httpSrv = &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.httpSrv.Serve(ln) }()
	return s, nil
}

// loadData fills the store: synthetic patients, one patient per sample
// message, then DataDir (which may replace either), then Group/all.
func (s *Server) loadData() error {
	s.data.putAll(synthesize(s.opts.Seed, s.opts.Population))
	s.data.putAll(sampleResources())
	if s.opts.DataDir != "" {
		if err := s.data.loadDir(s.opts.DataDir); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	s.data.refreshGroupAll()
	return nil
}

// Handler returns the HTTP handler of the server.
func (s *Server) Handler() http.Handler { return s.mux }

// URL returns scheme://host:port of the server, e.g. http://127.0.0.1:41234
// ("" for a server built with New and no PublicURL).
func (s *Server) URL() string { return s.url }

// BaseURL returns the FHIR base: URL()+"/api/FHIR/R4".
func (s *Server) BaseURL() string { return s.url + basePath }

// TokenURL returns the token endpoint: URL()+"/oauth2/token". It is also
// the only audience accepted in client assertions.
func (s *Server) TokenURL() string { return s.url + tokenPath }

// Close stops the server at once, dropping requests in flight.
func (s *Server) Close() error {
	s.stop()
	if s.httpSrv == nil {
		return nil
	}
	return s.httpSrv.Close()
}

// stop ends injected delays: a handler that has not read its request body
// (a token POST) never sees its client leave, and would hold its
// goroutine for the whole latency after the server closed.
func (s *Server) stop() { s.stopOnce.Do(func() { close(s.stopping) }) }

// Shutdown stops the server gracefully: no new connections, and requests
// in flight may finish until ctx is done.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stop()
	if s.httpSrv == nil {
		return nil
	}
	err := s.httpSrv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return errors.Join(err, s.httpSrv.Close())
	}
	return err
}

// routes wires the endpoints. The catch-alls answer in the endpoint's own
// error shape instead of the mux's plain text.
func (s *Server) routes() {
	m := http.NewServeMux()
	h := func(pattern string, f func(*exchange, *http.Request)) { m.Handle(pattern, s.logged(f)) }
	h("POST "+tokenPath, s.handleToken)
	h(tokenPath, s.handleTokenMethod)
	// Discovery is public, and neither counted nor logged: the log and
	// Stats are about FHIR and token calls, which is what tests count.
	m.HandleFunc("GET "+basePath+"/.well-known/smart-configuration", s.handleSMARTConfig)
	m.HandleFunc("GET /.well-known/smart-configuration", s.handleSMARTConfig)
	m.HandleFunc("GET "+basePath+"/metadata", s.handleMetadata)
	h("GET "+basePath+"/{type}", s.handleSearch)
	h("POST "+basePath+"/{type}/_search", s.handleSearch)
	h("GET "+basePath+"/{type}/{id}", s.handleRead)
	for _, method := range []string{"GET ", "POST "} {
		h(method+basePath+"/$export", s.handleExportSystem)
		h(method+basePath+"/Patient/$export", s.handleExportPatient)
		h(method+basePath+"/Group/{id}/$export", s.handleExportGroup)
	}
	h("GET "+statusPath+"{job}", s.handleExportStatus)
	h("DELETE "+statusPath+"{job}", s.handleExportCancel)
	h("GET "+filesPath+"{job}/{file}", s.handleExportFile)
	h(basePath+"/", s.handleUnsupported)
	m.HandleFunc("GET "+adminPath+"/faults", s.handleGetFaults)
	m.HandleFunc("PUT "+adminPath+"/faults", s.handlePutFaults)
	m.HandleFunc("GET "+adminPath+"/stats", s.handleStats)
	s.mux = m
}

// baseURL is the FHIR base as the client sees it, for links and fullUrls.
func (s *Server) baseURL(r *http.Request) string { return s.origin(r) + basePath }

// tokenURL is the token endpoint as the client sees it.
func (s *Server) tokenURL(r *http.Request) string { return s.origin(r) + tokenPath }

// origin is scheme://host of the server: the configured one, else the
// request's (a Handler mounted in someone else's server).
func (s *Server) origin(r *http.Request) string {
	if s.url != "" {
		return s.url
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
