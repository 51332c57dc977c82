package engine

import (
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// serveHTTP serves /healthz (the process is up), /readyz (every channel
// listens and NATS is connected: route traffic here) and /metrics.
func (e *Engine) serveHTTP() {
	if e.httpLn == nil {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	// A tenant whose token endpoint refuses us does not make the engine
	// unready: it still receives, stores and ACKs, and enrichment
	// applies its on_error policy. The detail tells the operator.
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		detail := strings.Join(e.tenantStatus(), "\n")
		if detail != "" {
			detail = "\n" + detail
		}
		if !e.Ready() {
			http.Error(w, "not ready: NATS not connected or engine stopping"+detail, http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready" + detail + "\n"))
	})
	e.serveJWKS(mux, e.keys)
	e.servePause(mux)
	mux.Handle("GET /metrics", promhttp.HandlerFor(e.metrics.reg, promhttp.HandlerOpts{}))
	e.httpSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := e.httpSrv.Serve(e.httpLn); err != nil && err != http.ErrServerClosed {
			e.log.Error("http server stopped", "err", err)
		}
	}()
}
