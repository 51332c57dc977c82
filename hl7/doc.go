// Package hl7 parses and encodes HL7 version 2 messages and builds their
// acknowledgements, keeping every byte of an unmodified message.
//
// A Message is a list of segments; each segment keeps its fields as raw,
// still-escaped text cut from the original bytes, so parsing costs a few
// allocations and Encode of an untouched message returns the input byte for
// byte. Values are split into repetitions, components and sub-components on
// demand and unescaped only when read with Value.String.
//
// Field paths follow the usual notation: "PID-3" (a whole field),
// "PID-3[2]" (its second repetition), "PID-3[2].4.1" (component 4,
// sub-component 1 of that repetition) and "OBX[2]-5" (the fifth field of the
// second OBX segment). Numbers are 1-based as in the HL7 standard.
package hl7
