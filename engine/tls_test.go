package engine

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

// testCA issues certificates for 127.0.0.1 in tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T) *testCA {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue writes a certificate and key signed by the CA and returns them.
func (ca *testCA) issue(t *testing.T, dir, name string, server bool) tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	os.WriteFile(filepath.Join(dir, name+".crt"), certPEM, 0o644)
	os.WriteFile(filepath.Join(dir, name+".key"), keyPEM, 0o600)
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return pair
}

func TestEngine_MutualTLSListener(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t)
	os.MkdirAll(filepath.Join(dir, "channels"), 0o755)
	os.WriteFile(filepath.Join(dir, "channels", "ca.pem"), ca.pem, 0o644)
	ca.issue(t, filepath.Join(dir, "channels"), "server", true)
	client := ca.issue(t, dir, "client", false)
	ch := strings.Replace(adtChannel, `source: {mllp: {listen: "127.0.0.1:0"}}`,
		`source: {mllp: {listen: "127.0.0.1:0", tls: {cert_file: server.crt, key_file: server.key, client_ca_file: ca.pem}}}`, 1)
	te := startEngineIn(t, dir, "", map[string]string{"adt.yaml": ch})
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca.pem)
	addr := te.ChannelAddr("adt").String()

	c := &mllp.Client{Addr: addr, AckTimeout: 5 * time.Second,
		TLSConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{client}}}
	defer c.Close()
	ack, err := c.Send(context.Background(), mllptest.Message("TLS1"))
	if code, _, _ := mllp.AckCode(ack); err != nil || code != "AA" {
		t.Fatalf("mutual TLS send: %q %v", code, err)
	}
	// Without a client certificate the handshake fails and nothing is stored.
	anon := &mllp.Client{Addr: addr, AckTimeout: 2 * time.Second, DialTimeout: 2 * time.Second,
		TLSConfig: &tls.Config{RootCAs: roots}}
	defer anon.Close()
	if _, err := anon.Send(context.Background(), mllptest.Message("TLS2")); err == nil {
		t.Error("a sender without a client certificate was served")
	}
	if n := len(searchAll(t, te)); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
}

func TestLoad_TLSFilesAreCheckedAtLint(t *testing.T) {
	ch := "name: adt\nsource:\n  mllp:\n    listen: 127.0.0.1:0\n    tls: {cert_file: nope.crt, key_file: nope.key}\n"
	_, err := Load(writeConfig(t, "", map[string]string{"a.yaml": ch}))
	if err == nil || !strings.Contains(err.Error(), "a.yaml:5: tls certificate") {
		t.Errorf("err = %v", err)
	}
}
