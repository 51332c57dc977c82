package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Load reads config.yaml and every channel file it names, fills defaults
// and validates everything. Any problem makes it return ConfigErrors with
// file and line; a half-valid configuration is never returned.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ConfigErrors{{File: path, Msg: "no such file: run from the directory holding config.yaml or pass --config FILE"}}
		}
		return nil, ConfigErrors{{File: path, Msg: err.Error()}}
	}
	cfg := &Config{File: path}
	ix, errs := decodeStrict(path, data, cfg)
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	cfg.lines = ix
	cfg.setDefaults()
	all := cfg.validate()
	files, more := cfg.channelFiles()
	all = append(all, more...)
	for _, f := range files {
		ch, errs := loadChannel(f)
		all = append(all, errs...)
		if ch != nil {
			cfg.ChannelList = append(cfg.ChannelList, ch)
		}
	}
	cfg.addWritebackStreams()
	all = append(all, cfg.crossCheck()...)
	if len(all) > 0 {
		return nil, all.sorted()
	}
	return cfg, nil
}

// channelFiles expands the channel globs relative to the config file.
func (c *Config) channelFiles() ([]string, ConfigErrors) {
	errs := &errorList{file: c.File}
	seen := map[string]bool{}
	var files []string
	for i, pattern := range c.Channels {
		line := c.lines.line(fmt.Sprintf("channels[%d]", i))
		matches, err := filepath.Glob(c.resolve(pattern))
		if err != nil {
			errs.add(line, "bad channel pattern %q: %v", pattern, err)
			continue
		}
		if len(matches) == 0 {
			errs.add(line, "no channel file matches %q (relative to %s)", pattern, filepath.Dir(c.File))
		}
		sort.Strings(matches)
		for _, m := range matches {
			if !seen[m] {
				seen[m] = true
				files = append(files, m)
			}
		}
	}
	return files, errs.errs
}

// resolve makes p relative to the config file's directory, so the engine
// behaves the same whatever the working directory.
func (c *Config) resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(c.File), p)
}

func loadChannel(path string) (*Channel, ConfigErrors) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ConfigErrors{{File: path, Msg: err.Error()}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ConfigErrors{{File: path, Msg: "the file is empty: a channel needs at least name and source"}}
	}
	ch := &Channel{File: path}
	ix, errs := decodeStrict(path, data, ch)
	if len(errs) > 0 {
		return nil, errs
	}
	ch.lines = ix
	ch.setDefaults()
	if errs := ch.validate(); len(errs) > 0 {
		return nil, errs
	}
	return ch, nil
}

// LoadChannel reads and validates one channel file on its own (for
// `switchboard map --channel` and tests).
func LoadChannel(path string) (*Channel, error) {
	ch, errs := loadChannel(path)
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	return ch, nil
}
