// Package fhir holds hand-written FHIR R4 types for the resources Switchboard
// emits and reads, with a fast JSON encoder and a decoder that keeps what it
// does not model.
//
// # Shape of the types
//
// Every element is a plain Go field named after its JSON member. Decimals are
// json.Number, so "1.40" is written back as 1.40 and never passes through
// float64. A choice element (value[x], effective[x], deceased[x], ...) is a
// set of pointer fields, one per type (ValueQuantity, ValueString, ...), of
// which at most one should be set. Resources are used through pointers
// (*Patient, *Observation) and satisfy the Resource interface.
//
// # What is written
//
// Marshal, AppendJSON and the MarshalJSON methods produce compact JSON with
// "resourceType" first and members in specification order. An invalid
// decimal (json.Number that is not a JSON number) or unknown member that is
// not JSON makes them return an error. Nothing empty is
// ever written: an empty string, a nil or empty slice, a nil pointer, and also
// an object or array whose members are all empty, are left out (an element
// whose only content was empty strings disappears with them). The one
// exception keeps FHIR's pairing of primitive arrays with their "_name"
// arrays: an empty string among non-empty ones in a []string is written as
// null, so positions survive ("given": ["Jane", null]). The output is
// the encoding/json encoding of the same value (with HTML escaping off):
// strings escape quotes, backslashes and control characters, U+2028 and
// U+2029, and replace invalid UTF-8 with U+FFFD; "<", ">" and "&" are written
// as they are. The tests decode the output with encoding/json and compare it
// with the original value for every sample bundle and for values with every
// field set.
//
// # Unknown members
//
// FHIR servers (Epic among them) send elements these types do not model:
// newer or vendor elements, extensions on primitives ("_birthDate"),
// "contained" resources, backbone elements not modelled here. They are kept
// rather than dropped: every struct has an Unknown field of type Members,
// filled by UnmarshalJSON with each member it does not know, in input order,
// as compact raw JSON, and written back after the known members. Decoding and
// re-encoding a resource therefore loses nothing. A resource type this
// package does not model at all decodes to a *RawResource that keeps its JSON
// as is.
//
// Adding a type takes three steps, which the tests check for every type
// reachable from Bundle: an Unknown Members field, a one-line UnmarshalJSON
// calling decodeObject, and an encodeFields method appending the known
// members in order and ending with e.unknown(b, x.Unknown). A resource also
// gets ResourceType, a MarshalJSON calling Marshal, and an entry in registry.
//
// # The encoder
//
// encoding/json walks these structs by reflection at about a third of the
// speed the engine needs, so every type has a hand-written encodeFields that
// appends its members to a byte slice; generic helpers (obj, arr) handle
// nesting, and strings are checked for characters to escape eight bytes at a
// time. The round-trip tests are what keep it honest: the output of every
// sample bundle, and of values with every field set, decodes with
// encoding/json back to the value it came from, and its strings encode
// byte for byte as encoding/json's.
package fhir
