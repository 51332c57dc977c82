package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// extDeviceInstallDate is the R5 Device.version.installDate, as the IG
// writes SFT-6.
const extDeviceInstallDate = "https://hl7.org/fhir/5.0/StructureDefinition/extension-Device.version.installDate"

// software maps the SFT segments after the IG's SFT[Device] map, each to
// a Device and a Provenance entity naming it: manufacturer SFT-1 (the
// vendor's name, XON.1), version SFT-2 with the install date SFT-6 as the
// IG's extension, deviceName SFT-3 (manufacturer-name), modelNumber SFT-4
// (binary id), note SFT-5. The IG's entity role is source when the
// software is the original source system, derivation otherwise.
// Decision: v2 systems append their SFT as they pass the message on, so
// the first is the source and later ones (interface engines) derivations.
func (r *run) software() []fhir.ProvenanceEntity {
	var out []fhir.ProvenanceEntity
	for _, s := range r.msg.Segments {
		if s.Name() != "SFT" {
			continue
		}
		n := r.next("SFT")
		x, ok := r.softwareDevice(s, n)
		if !ok {
			continue
		}
		role := "derivation"
		if out == nil {
			role = "source"
		}
		out = append(out, fhir.ProvenanceEntity{Role: role, What: x.reference()})
	}
	return out
}

// softwareDevice maps one SFT to a Device, or reports false for an SFT
// that names nothing.
func (r *run) softwareDevice(s *hl7.Segment, n int) (ref, bool) {
	a := func(field int) at { return at{"SFT", n, field} }
	d := &fhir.Device{
		Manufacturer: text(s.Field(1).Component(1)),
		ModelNumber:  text(s.Field(4)),
	}
	if name := text(s.Field(3)); name != "" {
		d.DeviceName = []fhir.DeviceName{{Name: name, Type: "manufacturer-name"}}
	}
	if v := text(s.Field(2)); v != "" {
		ver := fhir.DeviceVersion{Value: v}
		if t := strPtr(r.dateTime(s.Field(6), a(6))); t != nil {
			ver.Extension = []fhir.Extension{{URL: extDeviceInstallDate, ValueDateTime: t}}
		}
		d.Version = []fhir.DeviceVersion{ver}
	}
	if info := lines(s.Field(5)); info != "" {
		d.Note = []fhir.Annotation{{Text: info}}
	}
	if d.Manufacturer == "" && d.DeviceName == nil && d.ModelNumber == "" && d.Version == nil {
		return ref{}, false
	}
	x := r.ident("Device", "SFT", s.Field(1).Raw(), text(s.Field(3)), text(s.Field(2)), d.ModelNumber)
	d.ID = x.id
	return r.add(x, d), true
}
