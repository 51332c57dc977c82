// Package engine loads Switchboard's configuration and channel files and
// runs the channels: MLLP source → message log → ACK → filter → map → NATS.
//
// Configuration is decoded strictly and validated once, before a single
// listener opens: every error names its file and line and says how to fix it.
package engine
