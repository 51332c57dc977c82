package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Load reads config.yaml and every channel file it names, fills defaults
// and validates everything. Any problem makes it return ConfigErrors with
// file and line; a half-valid configuration is never returned. Errors in
// config.yaml do not stop the channel files being checked (see
// channelsDespite). A config.yaml that cannot be read at all (missing,
// unreadable) is the one error returned: which channel files it names is
// unknown, and the usual cause is a wrong directory or --config, where
// checking a guessed channels/ would only add noise.
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
		return nil, append(errs, channelsDespite(path, data, ix)...).sorted()
	}
	cfg.lines = ix
	cfg.setDefaults()
	all := cfg.validate()
	all = append(all, cfg.loadChannels()...)
	cfg.addWritebackStreams()
	all = append(all, cfg.crossCheck()...)
	if len(all) > 0 {
		return nil, all.sorted()
	}
	return cfg, nil
}

// loadChannels loads every channel file the configuration names into
// ChannelList and returns the problems found in them.
func (c *Config) loadChannels() ConfigErrors {
	files, all := c.channelFiles()
	for _, f := range files {
		ch, errs := loadChannel(f)
		all = append(all, errs...)
		if ch != nil {
			c.ChannelList = append(c.ChannelList, ch)
		}
	}
	return all
}

// channelsDespite checks the channel files of a config.yaml that has
// errors of its own, so that one lint run shows every problem: a typo in
// config.yaml must not hide the channel files' errors until it is fixed.
// Only the channels key is read (absent: the default directory); checks
// that need the rest of the configuration (tenants, streams, conflicts
// between channels) wait until it decodes.
//
// When the channel list itself cannot be read (the file is not YAML, or
// channels is not a list of strings) the files are not guessed: the
// default directory may hold files the engine would never load and miss
// those it would. A note says the channel files were not checked, so a
// clean run after the fix is not taken for granted.
func channelsDespite(path string, data []byte, ix lineIndex) ConfigErrors {
	notChecked := ConfigErrors{{File: path, Msg: "channel files not checked: the channel list cannot be read until this file is fixed"}}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return notChecked
	}
	root := doc.Content[0]
	expandNodes(root, &errorList{file: path}) // decodeStrict reported these
	var list struct {
		Channels []string `yaml:"channels"`
	}
	if root.Decode(&list) != nil {
		return notChecked
	}
	c := &Config{File: path, Channels: list.Channels, lines: ix}
	if len(c.Channels) == 0 {
		c.Channels = []string{defaultChannels}
	}
	return c.loadChannels()
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
