package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/engine"
	"github.com/switchboard-hl7/switchboard/engine/bulk"
	"github.com/switchboard-hl7/switchboard/fhirclient"
)

// bulkChannel is the channel `switchboard bulk export` jobs are logged under.
const bulkChannel = "bulk-export"

func bulkCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bulk", Short: "FHIR Bulk Data exports: run, resume, follow and cancel them"}
	cmd.AddCommand(bulkExportCmd(), bulkStatusCmd(), bulkCancelCmd())
	return cmd
}

type bulkFlags struct {
	tenant, group, since, out, invalid string
	patient, system, publish, fresh    bool
	types, typeFilters, elements       []string
	parallel                           int
}

func bulkExportCmd() *cobra.Command {
	var f bulkFlags
	cmd := &cobra.Command{
		Use:   "export --tenant T (--group ID | --patient | --system) (--out DIR | --publish)",
		Short: "Run a Bulk Data export; run the same command again to resume one that was stopped",
		Long: "Kicks off $export at the tenant, waits for it, and reads every file as it streams:\n" +
			"--publish sends each resource to fhir.<tenant>.bulk.<ResourceType> on the engine's NATS\n" +
			"(Nats-Msg-Id type/id/versionId), --out writes NDJSON files. The job and its progress are in\n" +
			"the message log: if it stops (Ctrl-C, a crash, a lost connection), the same command resumes\n" +
			"it where it stopped, without delivering a resource twice. --new starts over instead.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBulkExport(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.tenant, "tenant", "", "tenant to export from (required)")
	fl.StringVar(&f.group, "group", "", "Group/ID/$export: the members of a group")
	fl.BoolVar(&f.patient, "patient", false, "Patient/$export: every patient")
	fl.BoolVar(&f.system, "system", false, "$export: everything the server holds")
	fl.StringVar(&f.since, "since", "", "_since: only resources changed after this time (RFC 3339 or YYYY-MM-DD)")
	fl.StringSliceVar(&f.types, "type", nil, "_type: resource types, comma separated")
	fl.StringArrayVar(&f.typeFilters, "type-filter", nil, "_typeFilter, e.g. 'Observation?category=laboratory' (repeatable)")
	fl.StringSliceVar(&f.elements, "elements", nil, "_elements: the elements to keep")
	fl.StringVar(&f.out, "out", "", "write NDJSON files to this directory")
	fl.BoolVar(&f.publish, "publish", false, "publish resources on NATS")
	fl.BoolVar(&f.fresh, "new", false, "start a new export even if the same one is unfinished")
	fl.IntVar(&f.parallel, "parallel", 4, "files downloaded at once")
	fl.StringVar(&f.invalid, "on-invalid", "skip", "a malformed line: skip (log it with file and line, go on) or fail (the file fails)")
	return cmd
}

// request turns the flags into an export request, or says what is wrong.
func (f bulkFlags) request() (bulk.Request, error) {
	r := bulk.Request{Tenant: f.tenant}
	levels := 0
	if f.group != "" {
		levels++
		r.Export.Level, r.Export.GroupID = fhirclient.GroupExport, f.group
	}
	if f.patient {
		levels++
		r.Export.Level = fhirclient.PatientExport
	}
	if f.system {
		levels++
		r.Export.Level = fhirclient.SystemExport
	}
	switch {
	case f.tenant == "":
		return r, fmt.Errorf("--tenant is required")
	case levels != 1:
		return r, fmt.Errorf("give exactly one of --group ID, --patient, --system")
	case (f.out == "") == !f.publish:
		return r, fmt.Errorf("give exactly one of --out DIR, --publish")
	case f.invalid != string(bulk.SkipInvalid) && f.invalid != string(bulk.FailInvalid):
		return r, fmt.Errorf("--on-invalid is skip or fail, not %q", f.invalid)
	}
	if f.since != "" {
		t, err := parseSince(f.since)
		if err != nil {
			return r, err
		}
		r.Export.Since = t
	}
	r.Export.Types, r.Export.TypeFilters, r.Export.Elements = f.types, f.typeFilters, f.elements
	return r, nil
}

func parseSince(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: use RFC 3339 (2026-01-02T15:04:05Z) or a date (2026-01-02)", s)
}

func runBulkExport(cmd *cobra.Command, f bulkFlags) error {
	req, err := f.request()
	if err != nil {
		return &exitError{2, "switchboard bulk export: " + err.Error()}
	}
	cfg, err := engine.Load(configPath(cmd))
	if err != nil {
		return &exitError{2, err.Error()}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := newLogger(cfg.Log)
	tools, err := engine.OpenBulkTools(ctx, cfg, f.publish, log)
	if err != nil {
		return &exitError{1, "switchboard bulk export: " + err.Error()}
	}
	defer tools.Close()
	client, err := tools.Client(f.tenant)
	if err != nil {
		return &exitError{2, "switchboard bulk export: " + err.Error()}
	}
	out := cmd.OutOrStdout()
	job, err := findOrCreateJob(ctx, tools, req, f.fresh, out)
	if err != nil {
		return err
	}
	var sink bulk.Sink = &bulk.DirSink{Dir: f.out}
	if f.publish {
		sink = &bulk.NATSSink{Bus: tools.Bus, Tenant: f.tenant}
	}
	view := newBulkView(cmd.ErrOrStderr())
	defer view.stop()
	sum, err := bulk.Run(ctx, job, bulk.Options{Store: tools.Store, Client: client, Sink: sink,
		Parallel: f.parallel, Invalid: bulk.Invalid(f.invalid), Progress: view.update, Logger: log})
	view.stop()
	printSummary(out, sum)
	switch {
	case err != nil && bulk.IsCancelled(err):
		return &exitError{1, fmt.Sprintf("job %d was cancelled", job.ID)}
	case err != nil:
		return &exitError{1, fmt.Sprintf("job %d stopped: %v\nrun the same command again to resume it", job.ID, err)}
	case sum.Status != "PROCESSED":
		return &exitError{1, fmt.Sprintf("job %d failed: %s", job.ID, sum.Error)}
	}
	return nil
}

// findOrCreateJob resumes the unfinished job for req, or starts one.
func findOrCreateJob(ctx context.Context, tools *engine.BulkTools, req bulk.Request, fresh bool, out io.Writer) (*bulk.Job, error) {
	if !fresh {
		job, err := bulk.Unfinished(ctx, tools.Store, bulkChannel, req)
		if err != nil {
			return nil, err
		}
		if job != nil {
			fmt.Fprintf(out, "resuming job %d (started %s)\n", job.ID, job.Created.Local().Format(time.DateTime))
			return job, nil
		}
	}
	job, err := bulk.Create(ctx, tools.Store, bulkChannel, req)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "job %d started\n", job.ID)
	return job, nil
}

func printSummary(w io.Writer, s *bulk.Summary) {
	fmt.Fprintf(w, "job %d: %s", s.Job, s.Status)
	if s.Error != "" {
		fmt.Fprintf(w, " — %s", s.Error)
	}
	fmt.Fprintln(w)
	types := make([]string, 0, len(s.Resources))
	var total int64
	for t, n := range s.Resources {
		types = append(types, t)
		total += n
	}
	sort.Strings(types)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, t := range types {
		fmt.Fprintf(tw, "  %s\t%d\t\n", t, s.Resources[t])
	}
	fmt.Fprintf(tw, "  total\t%d\t\n", total)
	tw.Flush()
	fmt.Fprintf(w, "  %d files, %d failed; %d malformed lines skipped; %d OperationOutcomes in error files; %s elapsed\n",
		s.Files, s.FailedFiles, s.Skipped, s.Outcomes, s.Elapsed.Round(time.Second))
	if s.Skipped > 0 || s.Outcomes > 0 || s.FailedFiles > 0 {
		fmt.Fprintf(w, "  each one is listed in the job's events: switchboard messages show %d\n", s.Job)
	}
	if !s.TransactionTime.IsZero() {
		fmt.Fprintf(w, "  transactionTime %s (use it as --since for the next incremental export)\n", s.TransactionTime.Format(time.RFC3339Nano))
	}
}

func bulkStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status [JOB]",
		Short: "List bulk export jobs, or show one with its files",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openLog(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			out := cmd.OutOrStdout()
			if len(args) == 0 {
				return listJobs(cmd.Context(), st, out)
			}
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return &exitError{2, fmt.Sprintf("job id %q must be a number", args[0])}
			}
			return showJob(cmd.Context(), st, id, out)
		},
	}
	cmd.Flags().String("db", "", "message log file (default: store.path of the config)")
	return cmd
}

func bulkCancelCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "cancel JOB",
		Short: "Cancel a bulk export: the server is told (DELETE) and a running export stops",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return &exitError{2, fmt.Sprintf("job id %q must be a number", args[0])}
			}
			cfg, err := engine.Load(configPath(cmd))
			if err != nil {
				return &exitError{2, err.Error()}
			}
			tools, err := engine.OpenBulkTools(cmd.Context(), cfg, false, newLogger(cfg.Log))
			if err != nil {
				return err
			}
			defer tools.Close()
			job, err := bulk.Load(cmd.Context(), tools.Store, id)
			if err != nil {
				return notFound("job", id, err)
			}
			var client bulk.Exporter
			if c, err := tools.Client(job.Request.Tenant); err == nil {
				client = c
			}
			if err := bulk.Cancel(cmd.Context(), tools.Store, client, id); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "job %d cancelled\n", id)
			return nil
		},
	}
}
