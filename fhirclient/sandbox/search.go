package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// bundle is a searchset Bundle. Resources are embedded as stored, never
// re-encoded.
type bundle struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id"`
	Meta         bundleMeta    `json:"meta"`
	Type         string        `json:"type"`
	Total        int           `json:"total"`
	Link         []bundleLink  `json:"link"`
	Entry        []bundleEntry `json:"entry,omitempty"`
}

type bundleMeta struct {
	LastUpdated string `json:"lastUpdated"`
}

type bundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type bundleEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Search   entrySearch     `json:"search"`
}

type entrySearch struct {
	Mode string `json:"mode"`
}

// knownType reports whether typ can be read and searched.
func (s *Server) knownType(typ string) bool {
	_, ok := searchParams[typ]
	return ok || s.data.hasType(typ)
}

// handleRead is GET [base]/{type}/{id}.
func (s *Server) handleRead(w *exchange, r *http.Request) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if !s.admit(w, r, typ, 'r') {
		return
	}
	if !s.knownType(typ) {
		writeOutcome(w, http.StatusNotFound, "not-supported", "unknown resource type %q", typ)
		return
	}
	res := s.data.get(typ, id)
	if res == nil {
		writeOutcome(w, http.StatusNotFound, "not-found", "%s/%s is not known", typ, id)
		return
	}
	if meta, ok := res.doc["meta"].(map[string]any); ok {
		if v, ok := meta["versionId"].(string); ok {
			w.Header().Set("ETag", `W/"`+v+`"`)
		}
		if lu, ok := meta["lastUpdated"].(string); ok {
			if t, err := time.Parse(time.RFC3339, lu); err == nil {
				w.Header().Set("Last-Modified", t.UTC().Format(http.TimeFormat))
			}
		}
	}
	writeRaw(w, http.StatusOK, res.raw)
}

// handleSearch is GET [base]/{type}?params and POST [base]/{type}/_search
// (form body), and the pages of an earlier search (_page).
func (s *Server) handleSearch(w *exchange, r *http.Request) {
	typ := r.PathValue("type")
	if !s.admit(w, r, typ, 's') {
		return
	}
	if !s.knownType(typ) {
		writeOutcome(w, http.StatusNotFound, "not-supported", "unknown resource type %q", typ)
		return
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			writeOutcome(w, http.StatusBadRequest, "invalid", "cannot read the _search form body: %v", err)
			return
		}
		q = r.Form
		w.query = q.Encode()
	}
	if page := q.Get("_page"); page != "" {
		s.servePage(w, r, typ, page)
		return
	}
	if f := q.Get("_format"); f != "" && !strings.Contains(f, "json") {
		writeOutcome(w, http.StatusNotAcceptable, "not-supported", "_format %q: the sandbox speaks JSON only", f)
		return
	}
	crit, count, err := compileQuery(typ, q, s.opts.PageSize)
	if err != nil {
		writeOutcome(w, http.StatusBadRequest, "not-supported", "%v", err)
		return
	}
	found := s.data.filter(typ, func(res *resource) bool { return matches(res.doc, res.id, crit) })
	set := &searchSet{typ: typ, results: found, count: count}
	self := s.baseURL(r) + "/" + typ
	if enc := q.Encode(); enc != "" {
		self += "?" + enc
	}
	s.writeSearchPage(w, r, set, 0, self)
}

// servePage answers a next link.
func (s *Server) servePage(w *exchange, r *http.Request, typ, page string) {
	set, offset, ok := s.pages.lookup(page)
	if !ok || set.typ != typ {
		writeOutcome(w, http.StatusGone, "not-found", "search page %q is unknown or expired (pages live %s): run the search again", page, pageTTL)
		return
	}
	s.writeSearchPage(w, r, set, offset, s.pageURL(r, set, page))
}

// writeSearchPage sends results[offset:offset+count] with self and next
// links. A result longer than a page is kept, so that next links walk a
// stable snapshot even while resources change.
func (s *Server) writeSearchPage(w *exchange, r *http.Request, set *searchSet, offset int, self string) {
	end := min(offset+set.count, len(set.results))
	b := bundle{
		ResourceType: "Bundle",
		ID:           randomToken()[:16],
		Meta:         bundleMeta{LastUpdated: instant(time.Now())},
		Type:         "searchset",
		Total:        len(set.results),
		Link:         []bundleLink{{Relation: "self", URL: self}},
	}
	if end < len(set.results) && set.count > 0 {
		if set.id == "" {
			s.pages.store(set)
		}
		b.Link = append(b.Link, bundleLink{Relation: "next", URL: s.pageURL(r, set, pageToken(set.id, end))})
	}
	base := s.baseURL(r)
	for _, res := range set.results[offset:end] {
		b.Entry = append(b.Entry, bundleEntry{
			FullURL:  base + "/" + res.typ + "/" + res.id,
			Resource: res.raw,
			Search:   entrySearch{Mode: "match"},
		})
	}
	writeFHIR(w, http.StatusOK, b)
}

// pageURL is the URL of one page of a stored search.
func (s *Server) pageURL(r *http.Request, set *searchSet, token string) string {
	return s.baseURL(r) + "/" + set.typ + "?" + url.Values{"_page": {token}}.Encode()
}

// pageToken names a page: the stored search and the offset into it.
func pageToken(id string, offset int) string { return id + "." + strconv.Itoa(offset) }
