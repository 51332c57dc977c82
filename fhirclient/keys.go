package fhirclient

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Signing algorithms for client assertions. SMART Backend Services
// requires servers to support both; RS384 is the default because every
// EHR accepts it.
const (
	RS384 = "RS384"
	ES384 = "ES384"
)

// Key is a private key that signs client assertions for one tenant.
type Key struct {
	ID      string // kid: the RFC 7638 thumbprint of the public key
	Alg     string // RS384 or ES384
	Created time.Time
	Path    string // the file it was read from, if any
	Signer  crypto.Signer
}

// createdHeader is the PEM header that records when a key was made: the
// newest key signs, and a copied file loses its mtime.
const createdHeader = "Created"

// GenerateKey makes a new key for alg: RSA 2048 for RS384, P-384 for
// ES384.
func GenerateKey(alg string) (*Key, error) {
	var (
		signer crypto.Signer
		err    error
	)
	switch alg {
	case RS384, "":
		alg = RS384
		signer, err = rsa.GenerateKey(rand.Reader, 2048)
	case ES384:
		signer, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		return nil, fmt.Errorf("key algorithm %q: want RS384 or ES384", alg)
	}
	if err != nil {
		return nil, err
	}
	return newKey(signer, alg, time.Now().UTC(), "")
}

func newKey(signer crypto.Signer, alg string, created time.Time, path string) (*Key, error) {
	jwk := jose.JSONWebKey{Key: signer.Public()}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("key thumbprint: %w", err)
	}
	return &Key{ID: base64.RawURLEncoding.EncodeToString(thumb), Alg: alg, Created: created, Path: path, Signer: signer}, nil
}

// WriteFile writes k as a PKCS #8 PEM file readable by its owner only. It
// refuses to overwrite a file: a key that signs for a hospital is never
// silently replaced.
func (k *Key) WriteFile(path string) error {
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		return err
	}
	block := &pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{createdHeader: k.Created.Format(time.RFC3339Nano)}, Bytes: der}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := pem.Encode(f, block); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	k.Path = path
	return f.Close()
}

// ReadKeyFile reads a PEM private key (PKCS #8, PKCS #1 RSA or SEC 1 EC).
// The algorithm follows from the key: RS384 for RSA, ES384 for P-384.
func ReadKeyFile(path string) (*Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	signer, err := parsePrivateKey(block)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	alg := RS384
	if ec, ok := signer.(*ecdsa.PrivateKey); ok {
		if ec.Curve != elliptic.P384() {
			return nil, fmt.Errorf("%s: EC key on %s; ES384 needs P-384", path, ec.Curve.Params().Name)
		}
		alg = ES384
	}
	created, err := keyCreated(block, path)
	if err != nil {
		return nil, err
	}
	return newKey(signer, alg, created, path)
}

func parsePrivateKey(block *pem.Block) (crypto.Signer, error) {
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key", block.Type)
	}
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("RSA key of %d bits; SMART needs at least 2048", k.N.BitLen())
		}
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	default:
		return nil, fmt.Errorf("unsupported key type %T (want RSA or EC P-384)", key)
	}
}

func keyCreated(block *pem.Block, path string) (time.Time, error) {
	if v := block.Headers[createdHeader]; v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %s header %q: %w", path, createdHeader, v, err)
		}
		return t, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}, err
	}
	return fi.ModTime().UTC(), nil
}

// ReadKeys reads every key a tenant has: each path is a PEM file or a
// directory whose *.pem files are read. The result is newest first, so
// keys[0] signs and the others stay published for rotation.
func ReadKeys(paths ...string) ([]*Key, error) {
	var keys []*Key
	for _, p := range paths {
		files := []string{p}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			files, _ = filepath.Glob(filepath.Join(p, "*.pem"))
			if len(files) == 0 {
				return nil, fmt.Errorf("%s: no *.pem key files (create one with `switchboard keys generate`)", p)
			}
		}
		for _, f := range files {
			k, err := ReadKeyFile(f)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("no keys")
	}
	slices.SortStableFunc(keys, func(a, b *Key) int { return b.Created.Compare(a.Created) })
	return keys, nil
}

// KeyFileName is the name `switchboard keys generate` gives a new key: it
// sorts by creation and names the algorithm and the start of the kid.
func KeyFileName(k *Key) string {
	return fmt.Sprintf("%s-%s-%s.pem", k.Created.Format("20060102T150405.000Z"), strings.ToLower(k.Alg), k.ID[:8])
}

// JWKS returns the public JWK Set of keys, as an EHR fetches it from the
// engine's JWKS URL. Only public halves are ever published.
func JWKS(keys ...*Key) jose.JSONWebKeySet {
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.Signer.Public(), KeyID: k.ID, Algorithm: k.Alg, Use: "sig"})
	}
	return set
}
