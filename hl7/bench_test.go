package hl7

import (
	"os"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("../testdata/oru_r01_msfhirconverter_3.hl7")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := Parse(data)
		if err != nil || m.ControlID() == "" {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAndReadAll(b *testing.B) {
	data, err := os.ReadFile("../testdata/oru_r01_msfhirconverter_3.hl7")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m, _ := Parse(data)
		for _, s := range m.All("OBX") {
			_ = s.Field(3).Component(1).String()
			_ = s.Field(5).String()
			_ = s.Field(6).Component(1).String()
		}
	}
}

func BenchmarkBuildAck(b *testing.B) {
	m, _ := Parse([]byte(oru))
	b.ReportAllocs()
	for b.Loop() {
		_ = BuildAck(m, AckOptions{Code: AA})
	}
}
