package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Paths of export status and files, outside the FHIR base as a real
// server's often are (and followed from Content-Location and the
// manifest, never built by clients).
const (
	statusPath = "/_bulk/status/"
	filesPath  = "/_bulk/files/"
)

// maxStoredJobs bounds the jobs kept: past it the oldest go.
const maxStoredJobs = 1024

// jobState is where a job is in its life.
type jobState int

const (
	jobRunning jobState = iota
	jobComplete
	jobFailed
)

// exportPart is the content of one resource type.
type exportPart struct {
	typ string
	src lineSource
}

// job is one export. Everything but the fields under mu is fixed at
// kick-off; the files are fixed once the job completes.
type job struct {
	id, clientID string
	request      string // the kick-off URL
	at           time.Time
	deadline     time.Time
	req          *exportRequest
	parts        []exportPart
	denied       []string
	planned      int // files expected, for progress

	mu        sync.Mutex
	state     jobState
	completed time.Time
	output    []*exportFile
	errs      []*exportFile
	files     map[string]*exportFile
}

// newJob snapshots the data of an export.
func (s *Server) newJob(r *http.Request, clientID string, req *exportRequest, types, denied []string) *job {
	now := time.Now()
	j := &job{
		id:       randomToken()[:22],
		clientID: clientID,
		request:  s.origin(r) + r.URL.RequestURI(),
		at:       now,
		deadline: now.Add(s.opts.Export.Delay),
		req:      req,
		parts:    s.snapshot(req, types),
		denied:   denied,
	}
	for _, p := range j.parts {
		n := p.src.lines()
		if p.typ == "Observation" {
			n += s.opts.Export.BulkSize // at most; filters are applied at completion
		}
		j.planned += (n + s.opts.Export.FileLines - 1) / s.opts.Export.FileLines
	}
	return j
}

// settle completes a job whose time has come, with the faults in force
// now, and returns its state.
func (s *Server) settle(j *job, now time.Time) jobState {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state != jobRunning || now.Before(j.deadline) {
		return j.state
	}
	f := s.Faults()
	j.completed = now
	if f.ExportFail {
		j.state = jobFailed
		return j.state
	}
	s.finish(j, f)
	j.state = jobComplete
	return j.state
}

// finish lays a completed job out in files: each type split every
// FileLines lines, then one error file if anything went wrong.
func (s *Server) finish(j *job, f Faults) {
	var errLines rawLines
	for _, t := range j.denied {
		errLines = append(errLines, outcomeLine("error", "forbidden", fmt.Sprintf("%s was not exported: the access token's scopes do not allow reading it", t)))
	}
	for _, n := range j.req.notes {
		errLines = append(errLines, outcomeLine("warning", "not-supported", n))
	}
	j.files = map[string]*exportFile{}
	for _, p := range j.parts {
		src := p.src
		if p.typ == "Observation" {
			if bulk := s.bulkSelection(j.req); bulk != nil {
				src = concatLines{src, bulk}
			}
		}
		if f.ExportErrors && src.lines() > 0 {
			errLines = append(errLines, outcomeLine("error", "processing", fmt.Sprintf("%s could not be exported (injected fault)", firstRef(src))))
			src = skipFirst{src}
		}
		if keep := j.req.keptElements(p.typ); keep != nil {
			src = elementLines{src: src, keep: keep}
		}
		if f.MalformedEvery > 0 {
			src = malformedLines{src: src, every: f.MalformedEvery}
		}
		j.output = append(j.output, j.split(p.typ, p.typ, src, s.opts.Export.FileLines)...)
	}
	j.errs = j.split("OperationOutcome", "errors", errLines, s.opts.Export.FileLines)
}

// keptElements is the _elements list that applies to typ, or nil.
func (req *exportRequest) keptElements(typ string) []string {
	keep := slices.Concat(req.elements[""], req.elements[typ])
	if len(keep) == 0 {
		return nil
	}
	return keep
}

// firstRef names the resource on the first line of src.
func firstRef(src lineSource) string {
	var head struct{ ResourceType, ID string }
	_ = json.Unmarshal(src.appendLine(nil, 0), &head)
	return head.ResourceType + "/" + head.ID
}

// split cuts src into files of at most per lines, named base-1, base-2...
func (j *job) split(typ, base string, src lineSource, per int) []*exportFile {
	var out []*exportFile
	n := src.lines()
	for lo := 0; lo < n; lo += per {
		f := &exportFile{name: base + "-" + strconv.Itoa(len(out)+1), typ: typ, src: src, lo: lo, hi: min(lo+per, n)}
		out = append(out, f)
		j.files[f.name] = f
	}
	return out
}

// progress says how far a running job is, as X-Progress.
func (j *job) progress(now time.Time) string {
	frac := 1.0
	if total := j.deadline.Sub(j.at); total > 0 {
		frac = min(1, float64(now.Sub(j.at))/float64(total))
	}
	done := int(frac * float64(j.planned))
	return fmt.Sprintf("%d%% (%d of %d files)", int(frac*100), done, j.planned)
}

// retrySeconds formats a wait as whole seconds, rounded up, at least 1.
func retrySeconds(d time.Duration) string {
	return strconv.FormatInt(max(1, int64(math.Ceil(d.Seconds()))), 10)
}

// jobTable holds the jobs in memory: the sandbox is a test server.
type jobTable struct {
	mu   sync.Mutex
	jobs map[string]*job
}

func newJobTable() *jobTable { return &jobTable{jobs: map[string]*job{}} }

// add stores j unless maxActive jobs are in progress already. Past
// maxStoredJobs the oldest job is forgotten.
func (t *jobTable) add(j *job, maxActive int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	active := 0
	var oldest *job
	for _, o := range t.jobs {
		if j.at.Before(o.deadline) {
			active++
		}
		if oldest == nil || o.at.Before(oldest.at) {
			oldest = o
		}
	}
	if active >= maxActive {
		return false
	}
	if len(t.jobs) >= maxStoredJobs {
		delete(t.jobs, oldest.id)
	}
	t.jobs[j.id] = j
	return true
}

func (t *jobTable) get(id string) *job {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.jobs[id]
}

func (t *jobTable) remove(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.jobs, id)
}
