package mllp

// ControlID exposes controlID to the external tests.
var ControlID = controlID
