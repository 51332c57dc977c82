package sandbox

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// loadDir loads every *.ndjson and *.json file of dir, in name order.
func (st *store) loadDir(dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return err // Glob would say nothing about a missing directory
	}
	var files []string
	for _, pat := range []string{"*.ndjson", "*.json"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return err
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	for _, f := range files {
		var err error
		if strings.HasSuffix(f, ".ndjson") {
			err = st.loadNDJSON(f)
		} else {
			err = st.loadJSON(f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// loadNDJSON loads one resource (or Bundle) per non-blank line.
func (st *store) loadNDJSON(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	when := modTime(f)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20) // a Bundle on one line can be large
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		if err := st.loadOne(sc.Bytes(), when); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// loadJSON loads a file holding one resource or Bundle.
func (st *store) loadJSON(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if err := st.loadOne(data, fi.ModTime()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func modTime(f *os.File) time.Time {
	if fi, err := f.Stat(); err == nil {
		return fi.ModTime()
	}
	return time.Now()
}

// loadOne adds a resource, or the entries of a Bundle. A resource without
// meta.versionId and lastUpdated gets version 1 as of when (the file's
// modification time, so a reload of the same file looks the same).
func (st *store) loadOne(data []byte, when time.Time) error {
	doc, err := decodeResource(data)
	if err != nil {
		return err
	}
	docs := []map[string]any{doc}
	if doc["resourceType"] == "Bundle" {
		if docs, err = bundleEntries(doc); err != nil {
			return err
		}
	}
	for _, d := range docs {
		meta, _ := d["meta"].(map[string]any)
		if meta["versionId"] == nil || meta["lastUpdated"] == nil {
			stamp(d, 1, when)
		}
		r, err := newResource(d)
		if err != nil {
			return err
		}
		st.add(r)
	}
	return nil
}

// bundleEntries returns the resources of a Bundle. References to other
// entries by fullUrl (urn:uuid:..., as Synthea writes them) become
// Type/id references, so that patient= searches find them; an entry with
// a urn:uuid fullUrl and no id takes the uuid as its id.
func bundleEntries(b map[string]any) ([]map[string]any, error) {
	entries, _ := b["entry"].([]any)
	refs := map[string]string{}
	var docs []map[string]any
	for i, e := range entries {
		entry, _ := e.(map[string]any)
		doc, _ := entry["resource"].(map[string]any)
		if doc == nil {
			return nil, fmt.Errorf("Bundle entry %d has no resource", i)
		}
		full, _ := entry["fullUrl"].(string)
		if id, ok := strings.CutPrefix(full, "urn:uuid:"); ok && doc["id"] == nil {
			doc["id"] = id
		}
		typ, _ := doc["resourceType"].(string)
		id, _ := doc["id"].(string)
		if full != "" && typ != "" && id != "" {
			refs[full] = typ + "/" + id
		}
		docs = append(docs, doc)
	}
	for _, d := range docs {
		rewriteRefs(d, refs)
	}
	return docs, nil
}

// rewriteRefs replaces every "reference" found in refs, at any depth.
func rewriteRefs(v any, refs map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "reference" {
				if to, ok := refs[s]; ok {
					v[k] = to
				}
				continue
			}
			rewriteRefs(x, refs)
		}
	case []any:
		for _, x := range v {
			rewriteRefs(x, refs)
		}
	}
}
