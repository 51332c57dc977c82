package engine

// Config is the engine-wide configuration read from config.yaml. Field
// tags name the YAML keys; `doc` tags feed `switchboard lint --reference`.
type Config struct {
	DataDir  string                   `yaml:"data_dir" doc:"directory for the message log and the embedded NATS store (default ./data)"`
	Store    StoreConfig              `yaml:"store" doc:"the message log"`
	NATS     NATSConfig               `yaml:"nats" doc:"NATS connection, or the embedded server"`
	HTTP     HTTPConfig               `yaml:"http" doc:"health, readiness and metrics endpoint"`
	Log      LogConfig                `yaml:"log" doc:"stdout logging (never message content at info)"`
	Tenants  map[string]*TenantConfig `yaml:"tenants" doc:"EHR tenants by name (lower-case): FHIR endpoint, OAuth client, keys and quota of each"`
	Sandbox  SandboxConfig            `yaml:"sandbox" doc:"the built-in Epic-like FHIR sandbox"`
	Channels []string                 `yaml:"channels" doc:"channel files or globs, relative to this file (default channels/*.yaml)"`

	// File is the path the configuration was read from.
	File string `yaml:"-"`
	// Loaded channels, in file order.
	ChannelList []*Channel `yaml:"-"`

	lines lineIndex
}

// StoreConfig configures the message log.
type StoreConfig struct {
	Driver      string   `yaml:"driver" doc:"sqlite (the only driver today)"`
	Path        string   `yaml:"path" doc:"database file (default <data_dir>/switchboard.db)"`
	Synchronous string   `yaml:"synchronous" doc:"full (default: a message is on disk before its ACK), normal or off"`
	Retention   Duration `yaml:"retention" doc:"delete messages in a final status received longer ago than this, e.g. 720h (default 0: keep everything); pending messages are never deleted"`
}

// NATSConfig configures NATS and JetStream.
type NATSConfig struct {
	URL          string         `yaml:"url" doc:"external NATS server URL; empty starts the embedded server"`
	Listen       string         `yaml:"listen" doc:"embedded server address (default 127.0.0.1:4222)"`
	StoreDir     string         `yaml:"store_dir" doc:"embedded JetStream store (default <data_dir>/nats)"`
	MaxPayload   ByteSize       `yaml:"max_payload" doc:"embedded server's largest message (default 8MiB, at most 64MiB); a larger Bundle ends its message in ERROR"`
	SyncInterval string         `yaml:"sync_interval" doc:"embedded JetStream fsync: a duration (default 1s; the engine replays that window from its log after an unclean stop) or always (about 1/fsync msg/s)"`
	Streams      []StreamConfig `yaml:"streams" doc:"JetStream streams created on start (default FHIR on fhir.>)"`
}

// StreamConfig declares one JetStream stream.
type StreamConfig struct {
	Name       string   `yaml:"name" doc:"stream name"`
	Subjects   []string `yaml:"subjects" doc:"subjects the stream captures, e.g. fhir.>"`
	MaxAge     Duration `yaml:"max_age" doc:"discard messages older than this (default 168h)"`
	MaxBytes   ByteSize `yaml:"max_bytes" doc:"discard oldest beyond this size (default unlimited)"`
	Duplicates Duration `yaml:"duplicates" doc:"Nats-Msg-Id dedup window (default 20m); a replay inside it is never duplicated"`
	WorkQueue  bool     `yaml:"work_queue" doc:"remove each message once consumed (write-back requests, kept in the message log once taken); default false"`
}

// HTTPConfig configures the operations endpoint.
type HTTPConfig struct {
	Listen string `yaml:"listen" doc:"address for /healthz, /readyz and /metrics (default 127.0.0.1:8080); off disables it"`
}

// LogConfig configures stdout logging.
type LogConfig struct {
	Level  string `yaml:"level" doc:"debug, info (default), warn or error"`
	Format string `yaml:"format" doc:"text (default) or json"`
}
