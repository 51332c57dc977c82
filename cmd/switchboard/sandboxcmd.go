package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

func sandboxCmd() *cobra.Command {
	var o sandbox.Options
	var listen string
	var clients []string
	var population int
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the Epic-like FHIR R4 sandbox (SMART Backend Services, synthetic patients)",
		Long: "Serve a local FHIR R4 server laid out as Epic's ([origin]/api/FHIR/R4, token at /oauth2/token)\n" +
			"with SMART Backend Services authentication (RS384/ES384 client assertions verified against\n" +
			"each client's JWK Set), deterministic synthetic patients plus one per testdata/ sample (MRN in\n" +
			sandbox.MRNSystem + "), and optional faults: throttling, transient 503s, latency.\n" +
			"Runs until interrupted.",
		Example: `  switchboard sandbox --client switchboard-dev=./data/keys/sandbox/jwks.json
  switchboard sandbox --client app=https://example.org/.well-known/jwks.json --every-429 10 --latency 200ms
  switchboard sandbox --data ./fhir-seed --population 1000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Population = population
			if population <= 0 {
				o.Population = -1 // the library reads 0 as "the default"
			}
			for _, spec := range clients {
				c, err := parseClientFlag(spec)
				if err != nil {
					return &exitError{2, err.Error()}
				}
				o.Clients = append(o.Clients, c)
			}
			s, err := sandbox.Start(listen, o)
			if err != nil {
				return &exitError{1, "switchboard: " + err.Error()}
			}
			printSandbox(cmd, s, o)
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := s.Shutdown(sctx); err != nil {
				return &exitError{1, "switchboard: sandbox shutdown: " + err.Error()}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", envOr("SWITCHBOARD_SANDBOX_LISTEN", "127.0.0.1:8090"), "address to serve on")
	f.StringVar(&o.DataDir, "data", os.Getenv("SWITCHBOARD_SANDBOX_DATA"), "also load FHIR resources from the *.ndjson and *.json (resource or Bundle) files in this directory")
	f.IntVar(&population, "population", 100, "synthetic patients (0 for none)")
	f.Int64Var(&o.Seed, "seed", 1, "seed of the synthetic data (same seed, same patients)")
	f.StringArrayVar(&clients, "client", nil, "register a client: ID=JWKS, the JWK Set as a file path or an http(s) URL (repeatable)")
	f.StringVar(&o.PublicURL, "public-url", "", "scheme://host:port clients reach the sandbox at, if not the listen address (a proxy)")
	f.DurationVar(&o.TokenLifetime, "token-lifetime", 5*time.Minute, "access token lifetime")
	f.Float64Var(&o.Faults.RateLimit, "rate-limit", 0, "FHIR requests per second above which the answer is 429 (0: off)")
	f.IntVar(&o.Faults.Every429, "every-429", 0, "answer every Nth FHIR request with 429 (0: off)")
	f.IntVar(&o.Faults.Every5xx, "every-5xx", 0, "answer every Nth FHIR request with 503 and a transient OperationOutcome (0: off)")
	f.DurationVar(&o.Faults.RetryAfter, "retry-after", time.Second, "Retry-After sent with 429 and 503 (whole seconds)")
	f.BoolVar(&o.Faults.RetryAfterDate, "retry-after-date", false, "send Retry-After as an HTTP-date instead of seconds")
	f.DurationVar(&o.Faults.Latency, "latency", 0, "delay added before every FHIR and token response")
	f.IntVar(&o.Export.BulkSize, "bulk-size", 0, "add N synthetic lab Observations (~1 KB each, generated as served, not searchable) to $export output")
	return cmd
}

// parseClientFlag reads ID=JWKS: an http(s) URL is a hosted JWK Set
// (fetched on demand), anything else a file.
func parseClientFlag(spec string) (sandbox.Client, error) {
	id, jwks, ok := strings.Cut(spec, "=")
	if !ok || id == "" || jwks == "" {
		return sandbox.Client{}, fmt.Errorf("--client %q: want ID=JWKS (a JWK Set file or http(s) URL)", spec)
	}
	if strings.HasPrefix(jwks, "http://") || strings.HasPrefix(jwks, "https://") {
		return sandbox.Client{ID: id, JWKSURL: jwks}, nil
	}
	return sandbox.Client{ID: id, JWKSFile: jwks}, nil
}

// printSandbox tells the operator where everything is.
func printSandbox(cmd *cobra.Command, s *sandbox.Server, o sandbox.Options) {
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "fhir base   %s\n", s.BaseURL())
	fmt.Fprintf(out, "token url   %s\n", s.TokenURL())
	for _, c := range o.Clients {
		fmt.Fprintf(out, "client      %s  jwks %s%s\n", c.ID, c.JWKSFile, c.JWKSURL)
	}
	if len(o.Clients) == 0 {
		fmt.Fprintln(out, "client      (none: pass --client ID=JWKS, or nothing can get a token)")
	}
	fmt.Fprintf(out, "patients    %d synthetic (seed %d) and one per testdata sample; MRN system %s\n", max(o.Population, 0), o.Seed, sandbox.MRNSystem)
	if o.DataDir != "" {
		fmt.Fprintf(out, "data        %s\n", o.DataDir)
	}
}
