// Package mllptest provides real MLLP peers on the loopback interface for
// tests, as net/http/httptest does for HTTP.
//
// [NewPeer] is an EHR-like listener whose replies a [Behaviour] scripts
// (delays, split writes, hang-ups, late or mismatched ACKs). [Dial] is a raw
// client for feeding a server stray bytes and broken frames. [AckServer]
// acknowledges everything as fast as it can; it also runs outside tests, as a
// wire-speed baseline for benchmarks.
package mllptest
