package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/switchboard-hl7/switchboard/engine/bulk"
)

// bulkView draws a job's progress: one bar per file being read (lines of
// the manifest's count, bytes, rate, ETA) on a terminal, redrawn in
// place; a line every few seconds otherwise (a log file, CI).
type bulkView struct {
	w   io.Writer
	tty bool

	mu     sync.Mutex
	server string
	files  map[int]*fileBar
	drawn  int // lines drawn last time (tty)
	done   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
	totals struct{ files, finished int }
}

type fileBar struct {
	bar   *progressbar.ProgressBar
	label string
	bytes int64
	done  bool
}

func newBulkView(w io.Writer) *bulkView {
	v := &bulkView{w: w, files: map[int]*fileBar{}, done: make(chan struct{})}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		v.tty = true
	}
	every := 5 * time.Second
	if v.tty {
		every = 200 * time.Millisecond
	}
	v.wg.Add(1)
	go v.loop(every)
	return v
}

// update takes a progress report from the job.
func (v *bulkView) update(p bulk.Progress) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch p.Phase {
	case bulk.Exporting:
		v.server = p.Server
		if v.server == "" {
			v.server = "in progress"
		}
	case bulk.Downloading:
		v.totals.files = p.Files
		fb := v.files[p.File.Index]
		if fb == nil {
			max := p.File.Count
			if max <= 0 {
				max = -1 // unknown: a spinner
			}
			fb = &fileBar{label: fmt.Sprintf("%-18s #%d", p.File.Type, p.File.Index)}
			fb.bar = progressbar.NewOptions64(max, progressbar.OptionSetWriter(io.Discard),
				progressbar.OptionSetDescription(fb.label), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("res"), progressbar.OptionSetWidth(24), progressbar.OptionSetPredictTime(true))
			v.files[p.File.Index] = fb
		}
		_ = fb.bar.Set64(p.File.Lines)
		fb.bytes = p.WireBytes
		if p.File.Done && !fb.done {
			fb.done = true
			v.totals.finished++
		}
	}
}

func (v *bulkView) loop(every time.Duration) {
	defer v.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-v.done:
			v.draw(true)
			return
		case <-t.C:
			v.draw(false)
		}
	}
}

// draw prints a line for each file finished since the last draw, which
// stays, then the live block: a header and a bar per file being read,
// which the next draw replaces on a terminal.
func (v *bulkView) draw(final bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tty && v.drawn > 0 {
		fmt.Fprintf(v.w, "\x1b[%dA\x1b[J", v.drawn) // up and clear: redraw in place
	}
	idx := make([]int, 0, len(v.files))
	for i := range v.files {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	var live []string
	for _, i := range idx {
		fb := v.files[i]
		// The bar's text starts with \r (it draws itself over one line):
		// trimmed, it can follow a prefix.
		line := fmt.Sprintf("%s %8s", strings.TrimSpace(fb.bar.String()), mb(fb.bytes))
		if fb.done {
			fmt.Fprintln(v.w, "done "+line)
			delete(v.files, i)
			continue
		}
		live = append(live, "     "+line)
	}
	switch {
	case v.totals.files > 0:
		live = append([]string{fmt.Sprintf("files: %d of %d read", v.totals.finished, v.totals.files)}, live...)
	case v.server != "":
		live = append(live, "export: server "+v.server)
	}
	for _, l := range live {
		fmt.Fprintln(v.w, l)
	}
	v.drawn = len(live)
	if !v.tty || final {
		v.drawn = 0
	}
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// stop draws a last time and ends the view; it may be called twice.
func (v *bulkView) stop() {
	v.once.Do(func() { close(v.done); v.wg.Wait() })
}
