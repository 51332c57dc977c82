// Package mllp carries HL7 v2 messages over TCP with the Minimal Lower Layer Protocol:
// framing, a Server that hands each message to a Handler, and a Client that correlates ACKs.
//
// The shapes follow net/http. A [Server] reads one frame at a time per
// connection, calls its [Handler] and writes the returned ACK before reading the
// next frame, so a sender's guaranteed-delivery contract holds: a message that
// was cut off, or whose handler failed, is never acknowledged. A [Client] sends
// one message at a time and only returns an ACK whose MSA-2 matches the
// message's MSH-10; after a timeout it closes the connection, so a late ACK can
// never be credited to the next message.
//
// The package parses HL7 only as far as ACK correlation needs (MSH-10, MSA-1,
// MSA-2). Package mllp/mllptest provides real TCP peers for tests.
package mllp
