package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeConfig writes config.yaml and channel files into a temp dir and
// returns the config path.
func writeConfig(t *testing.T, config string, channels map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "channels"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range channels {
		if err := os.WriteFile(filepath.Join(dir, "channels", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const minimalChannel = `name: adt
source:
  mllp:
    listen: 127.0.0.1:0
destinations:
  - nats: {}
`

func TestLoad_ShippedConfigWithDefaults(t *testing.T) {
	for _, v := range []string{"SWITCHBOARD_DATA", "SWITCHBOARD_NATS_URL", "SWITCHBOARD_NATS_LISTEN", "SWITCHBOARD_HTTP_LISTEN", "SWITCHBOARD_ADT_LISTEN", "SWITCHBOARD_ORU_LISTEN",
		"SWITCHBOARD_SANDBOX_LISTEN", "SWITCHBOARD_SANDBOX_FHIR", "SWITCHBOARD_SANDBOX_DATA", "SWITCHBOARD_EHR_MLLP"} {
		t.Setenv(v, "")
	}
	cfg, err := Load("../config.yaml")
	if err != nil {
		t.Fatalf("shipped config: %v", err)
	}
	abs, _ := filepath.Abs("../data")
	if got, _ := filepath.Abs(cfg.DataDir); got != abs {
		t.Errorf("data_dir = %s, want %s", got, abs)
	}
	if cfg.NATS.URL != "" || cfg.NATS.Listen != "127.0.0.1:4222" || cfg.HTTP.Listen != "127.0.0.1:8080" {
		t.Errorf("nats url %q listen %q http %q", cfg.NATS.URL, cfg.NATS.Listen, cfg.HTTP.Listen)
	}
	listens := map[string]string{}
	for _, ch := range cfg.ChannelList {
		if ch.Source.MLLP != nil {
			listens[ch.Name] = ch.Source.MLLP.Listen
		}
		if ch.Source.NATS != nil {
			listens[ch.Name] = ch.Destinations[0].MLLP.To
		}
	}
	if listens["writeback-sandbox"] != "127.0.0.1:6662" {
		t.Errorf("write-back channel sends to %q, want 127.0.0.1:6662", listens["writeback-sandbox"])
	}
	if listens["adt-inbound"] != "127.0.0.1:2575" || listens["oru-inbound"] != "127.0.0.1:2576" {
		t.Errorf("channel listens = %v", listens)
	}
	// Out of the box the sandbox tenant enriches from the built-in sandbox.
	sb := cfg.Tenants["sandbox"]
	if sb == nil || sb.FHIRBase != SandboxBase || !cfg.Sandbox.Enabled || cfg.Sandbox.Listen != "127.0.0.1:8090" {
		t.Errorf("sandbox tenant %+v, sandbox %+v", sb, cfg.Sandbox)
	}
	for _, ch := range cfg.ChannelList {
		if ch.Source.MLLP == nil {
			continue
		}
		if len(ch.Enrich) != 1 || ch.Enrich[0].Use != UsePatient || ch.Tenant != "sandbox" {
			t.Errorf("channel %s: enrich %+v", ch.Name, ch.Enrich)
		}
	}
}

func TestLoad_EnvironmentOverrides(t *testing.T) {
	t.Setenv("SWITCHBOARD_DATA", "/tmp/sbdata")
	t.Setenv("SWITCHBOARD_NATS_URL", "nats://10.0.0.1:4222")
	t.Setenv("SWITCHBOARD_HTTP_LISTEN", "127.0.0.1:9999")
	t.Setenv("SWITCHBOARD_ADT_LISTEN", "127.0.0.1:3575")
	t.Setenv("SWITCHBOARD_ORU_LISTEN", "127.0.0.1:3576")
	cfg, err := Load("../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/tmp/sbdata" || cfg.Store.Path != "/tmp/sbdata/switchboard.db" || cfg.NATS.URL != "nats://10.0.0.1:4222" || cfg.HTTP.Listen != "127.0.0.1:9999" {
		t.Errorf("overrides not applied: %+v", cfg)
	}
	if cfg.ChannelList[0].Source.MLLP.Listen != "127.0.0.1:3575" {
		t.Errorf("adt listen = %s", cfg.ChannelList[0].Source.MLLP.Listen)
	}
}

func TestLoad_ErrorsNameFileLineAndFix(t *testing.T) {
	tests := []struct {
		name, channel string
		line          int
		want          string
	}{
		{"typo", "name: adt\nsource:\n  mllp:\n    listn: 127.0.0.1:0\n", 4, `unknown key "listn" in source.mllp: did you mean "listen"?`},
		{"bad type", "name: adt\nworkers: many\nsource: {mllp: {listen: 127.0.0.1:0}}\n", 2, "cannot use a YAML str"},
		{"bad duration", "name: adt\nsource:\n  mllp:\n    listen: 127.0.0.1:0\n    read_timeout: 30\n", 5, "write it with a unit"},
		{"bad filter", "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\nfilter: field(\"PV1-2\") ==\n", 3, "filter does not compile"},
		{"bad filter path", "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\nfilter: field(\"PV1.2\") == \"I\"\n", 3, "bad field path"},
		{"filter not bool", "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\nfilter: field(\"PV1-2\")\n", 3, "filter does not compile"},
		{"bad ack", "name: adt\nsource:\n  mllp:\n    listen: 127.0.0.1:0\n    ack: sometimes\n", 5, "use on-receive"},
		{"bad accept", "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\naccept:\n  - ADT-A01\n", 4, "write TYPE^TRIGGER"},
		{"bad subject", "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\ndestinations:\n  - nats:\n      subject: fhir.{tenent}.x\n", 5, "subject placeholder {tenent}"},
		{"subject outside streams", "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\ndestinations:\n  - nats:\n      subject: events.{type}\n", 5, "not captured by any stream"},
		{"bad zone", "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\nmapping:\n  timezone: Mars/Olympus\n", 4, "IANA zone"},
		{"no source", "name: adt\n", 1, "declare one source"},
		{"bad listen", "name: adt\nsource: {mllp: {listen: localhost}}\n", 2, "not host:port"},
		{"unterminated var", "name: adt\nsource: {mllp: {listen: \"${PORT\"}}\n", 2, "unterminated ${"},
		{"yaml syntax", "name: adt\nsource: [\n", 2, "did not find expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, "data_dir: d\n", map[string]string{"a.yaml": tt.channel})
			_, err := Load(p)
			var errs ConfigErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("Load error = %v, want ConfigErrors", err)
			}
			e := errs[0]
			if !strings.HasSuffix(e.File, "a.yaml") || e.Line != tt.line || !strings.Contains(e.Msg, tt.want) {
				t.Errorf("got %v\nwant a.yaml:%d: ...%s...", e, tt.line, tt.want)
			}
		})
	}
}

func TestLoad_ConfigFileErrors(t *testing.T) {
	p := writeConfig(t, "data_dir: d\nnats:\n  sync_intervl: 1s\n", map[string]string{"a.yaml": minimalChannel})
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), "config.yaml:3: unknown key \"sync_intervl\" in nats: did you mean \"sync_interval\"?") {
		t.Errorf("err = %v", err)
	}
	p = writeConfig(t, "channels: [\"nothing/*.yaml\"]\n", nil)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "config.yaml:1: no channel file matches") {
		t.Errorf("err = %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "pass --config") {
		t.Errorf("err = %v", err)
	}
}

func TestLoad_CrossChannelConflicts(t *testing.T) {
	a := "name: adt\nsource: {mllp: {listen: 127.0.0.1:2575}}\n"
	b := "name: adt\nsource: {mllp: {listen: 127.0.0.1:2575}}\n"
	_, err := Load(writeConfig(t, "", map[string]string{"a.yaml": a, "b.yaml": b}))
	if err == nil || !strings.Contains(err.Error(), `channel name "adt" is already used`) || !strings.Contains(err.Error(), "listen address 127.0.0.1:2575 is already used") {
		t.Errorf("err = %v", err)
	}
}

func TestLoad_EnvIntoTypedValue(t *testing.T) {
	t.Setenv("SB_WORKERS", "4")
	ch := minimalChannel + "workers: ${SB_WORKERS:-1}\nsource:\n  mllp:\n    listen: 127.0.0.1:0\n    max_message_size: ${SB_MAX:-1MiB}\n"
	ch = strings.Replace(ch, "source:\n  mllp:\n    listen: 127.0.0.1:0\ndestinations", "destinations", 1)
	cfg, err := Load(writeConfig(t, "", map[string]string{"a.yaml": ch}))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.ChannelList[0]
	if c.Workers != 4 || c.Source.MLLP.MaxMessageSize != 1<<20 {
		t.Errorf("workers %d max %d", c.Workers, c.Source.MLLP.MaxMessageSize)
	}
	if c.Tenant != "sandbox" || c.Destinations[0].NATS.Subject != DefaultSubject || c.Source.MLLP.Ack != AckOnReceive {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestExpandEnv(t *testing.T) {
	env := map[string]string{"A": "1", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := map[string]string{
		"${A}":            "1",
		"x${A}y":          "x1y",
		"${B:-dflt}":      "dflt",
		"${EMPTY:-dflt}":  "dflt",
		"${B}":            "",
		"$$5":             "$5",
		"pa$word":         "pa$word",
		"${A:-x}${B:-y}z": "1yz",
	}
	for in, want := range tests {
		if got, err := expandEnv(in, lookup); err != nil || got != want {
			t.Errorf("expandEnv(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"${A", "${1X}", "${}"} {
		if _, err := expandEnv(in, lookup); err == nil {
			t.Errorf("expandEnv(%q) succeeded", in)
		}
	}
}

func TestWriteReference_DocumentsEveryKey(t *testing.T) {
	var b strings.Builder
	WriteReference(&b)
	for _, key := range []string{"data_dir", "nats.sync_interval", "nats.streams[].duplicates", "source.mllp.listen", "source.mllp.ack", "destinations[].nats.subject", "duplicate_window", "mapping.timezone"} {
		found := false
		for _, line := range strings.Split(b.String(), "\n") {
			if f := strings.Fields(line); len(f) > 2 && f[0] == key {
				found = true
			}
		}
		if !found {
			t.Errorf("reference lacks a documented %s", key)
		}
	}
}

// Enrichment and tenant mistakes are refused at load with file, line and
// a fix.
func TestLoad_EnrichAndTenantErrors(t *testing.T) {
	const tenant = "tenants:\n  sandbox:\n    fhir_base: https://ehr.example.org/api/FHIR/R4\n    client_id: app\n    keys: [k]\n    scopes: [system/Patient.read]\n"
	const src = "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\nenrich:\n"
	tests := []struct {
		name, config, channel string
		file                  string
		line                  int
		want                  string
	}{
		{"read and search", tenant, src + "  - name: p\n    read: Patient/{PID-3.1}\n    search: Patient?x=1\n", "a.yaml", 4, "exactly one of read"},
		{"bad placeholder", tenant, src + "  - name: p\n    search: Patient?identifier={PID.3}\n", "a.yaml", 5, "placeholder {PID.3}"},
		{"not a type", tenant, src + "  - name: p\n    search: patient?identifier={PID-3.1}\n", "a.yaml", 5, "FHIR resource type"},
		{"use patient on coverage", tenant, src + "  - name: c\n    search: Coverage?x={PID-3.1}\n    use: patient\n", "a.yaml", 6, "needs a Patient"},
		{"bad policy", tenant, src + "  - name: p\n    search: Patient?identifier={PID-3.1}\n    on_error: sometimes\n", "a.yaml", 6, "continue, fail or retry"},
		{"later step used", tenant, src + "  - name: c\n    search: Coverage?patient={patient.id}\n  - name: patient\n    search: Patient?identifier={PID-3.1}\n", "a.yaml", 4, "no earlier step"},
		{"unknown tenant", "", src + "  - name: p\n    search: Patient?identifier={PID-3.1}\n", "a.yaml", 3, "does not configure"},
		{"tenant without keys", "tenants:\n  sandbox:\n    fhir_base: https://ehr.example.org/fhir\n    client_id: app\n    scopes: [x]\n", "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\n", "config.yaml", 2, "keys generate --tenant sandbox"},
		{"sandbox base without sandbox", "tenants:\n  sandbox:\n    fhir_base: sandbox\n    client_id: app\n    keys: [k]\n    scopes: [x]\n", "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\n", "config.yaml", 3, "sandbox.enabled is false"},
		{"typo in tenant", "tenants:\n  sandbox:\n    fhir_bse: https://x\n", "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\n", "config.yaml", 3, `did you mean "fhir_base"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, "data_dir: d\n"+tt.config, map[string]string{"a.yaml": tt.channel}))
			var errs ConfigErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("Load error = %v, want ConfigErrors", err)
			}
			line := tt.line
			if tt.file == "config.yaml" {
				line++ // after the data_dir line
			}
			for _, e := range errs {
				if strings.HasSuffix(e.File, tt.file) && e.Line == line && strings.Contains(e.Msg, tt.want) {
					return
				}
			}
			t.Errorf("got %v\nwant %s:%d: ...%s...", errs, tt.file, line, tt.want)
		})
	}
}

// A mapping override with a typo is refused at load, naming its line and
// the element meant.
func TestLoad_FieldRuleErrors(t *testing.T) {
	ch := "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\nmapping:\n  fields:\n    - from: ZPI-2\n      to: Patient.extension(https://h.example/vip).valueString\n    - from: PV1-10\n      to: Encounter.serviceTyp.text\n    - from: PV1.10\n      to: Encounter.serviceType.text\n  ignore_segments: [PID]\n"
	_, err := Load(writeConfig(t, "data_dir: d\n", map[string]string{"a.yaml": ch}))
	for _, want := range []string{`a.yaml:8: to "Encounter.serviceTyp.text": Encounter has no element "serviceTyp": did you mean "serviceType"?`, "a.yaml:9: from \"PV1.10\"", "a.yaml:11: ignore_segments \"PID\""} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant …%s…", err, want)
		}
	}
}

// Channel tests are checked at load: a missing input file, a bad path or
// an assertion that is not exactly one of equals, exists, count.
func TestLoad_ChannelTestErrors(t *testing.T) {
	ch := "name: adt\nsource: {mllp: {listen: 127.0.0.1:0}}\ntests:\n  - name: a\n    input: nope.hl7\n  - name: b\n    input: a.yaml\n    expect:\n      - {path: patient.name, equals: x}\n      - {path: Patient.name, equals: x, exists: true}\n"
	_, err := Load(writeConfig(t, "data_dir: d\n", map[string]string{"a.yaml": ch}))
	for _, want := range []string{"a.yaml:5: test \"a\": input", "a.yaml:9: path \"patient.name\" must start with a resource type", "a.yaml:10: expect \"Patient.name\": give exactly one of equals, exists or count"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant …%s…", err, want)
		}
	}
}

// A config.yaml with errors of its own still has its channel files
// checked, so one lint run shows every problem with its file and line;
// when the channel list cannot be read the files are not guessed.
func TestLoad_ConfigErrorsDoNotHideChannelErrors(t *testing.T) {
	badChannel := "name: adt\nsource:\n  mllp:\n    listn: 127.0.0.1:0\n"
	tests := []struct {
		name, config string
		files        map[string]string
		want         []string
		notWant      string
	}{
		{"typo", "data_dir: d\nstor: {}\n", map[string]string{"a.yaml": badChannel},
			[]string{`config.yaml:2: unknown key "stor" here: did you mean "store"?`, `a.yaml:4: unknown key "listn" in source.mllp`}, "not checked"},
		{"bad type", "data_dir: d\nstore:\n  retention: soon\n", map[string]string{"a.yaml": badChannel},
			[]string{"config.yaml:3: ", `a.yaml:4: unknown key "listn"`}, "not checked"},
		{"named files only", "channels: [\"ours/*.yaml\"]\nhttp: {lisen: x}\n", map[string]string{"a.yaml": badChannel},
			[]string{`config.yaml:2: unknown key "lisen"`, "config.yaml:1: no channel file matches \"ours/*.yaml\""}, "a.yaml"},
		{"channel list unreadable", "channels: 5\nstor: {}\n", map[string]string{"a.yaml": badChannel},
			[]string{`config.yaml:2: unknown key "stor"`, "config.yaml: channel files not checked"}, "a.yaml"},
		{"not yaml", "data_dir: d\nstore: [\n", map[string]string{"a.yaml": badChannel},
			[]string{"config.yaml:2: did not find expected", "config.yaml: channel files not checked"}, "a.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, tt.config, tt.files))
			if err == nil {
				t.Fatal("Load succeeded")
			}
			got := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("errors lack %q:\n%s", w, got)
				}
			}
			if strings.Contains(got, tt.notWant) {
				t.Errorf("errors mention %q:\n%s", tt.notWant, got)
			}
		})
	}
}
