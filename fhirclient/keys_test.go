package fhirclient

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

func TestKeys_WriteReadRoundTripAndRotationOrder(t *testing.T) {
	dir := t.TempDir()
	var written []*Key
	for i, alg := range []string{RS384, ES384} {
		k, err := GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		k.Created = k.Created.Add(time.Duration(i) * time.Hour) // the ES384 key is newer
		path := filepath.Join(dir, KeyFileName(k))
		if err := k.WriteFile(path); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s: mode %v, want 0600", path, perm)
		}
		if err := k.WriteFile(path); err == nil {
			t.Errorf("WriteFile over an existing key succeeded")
		}
		written = append(written, k)
	}
	keys, err := ReadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].ID != written[1].ID || keys[1].ID != written[0].ID {
		t.Fatalf("ReadKeys order %v, want newest (%s) first", ids(keys), written[1].ID)
	}
	if keys[0].Alg != ES384 || keys[1].Alg != RS384 {
		t.Errorf("algorithms %s, %s; want ES384, RS384", keys[0].Alg, keys[1].Alg)
	}
	if !keys[0].Created.Equal(written[1].Created) {
		t.Errorf("created %v, want %v (from the PEM header)", keys[0].Created, written[1].Created)
	}
}

func ids(keys []*Key) []string {
	var s []string
	for _, k := range keys {
		s = append(s, k.ID)
	}
	return s
}

func TestKeys_KidIsTheRFC7638Thumbprint(t *testing.T) {
	k, err := GenerateKey(RS384)
	if err != nil {
		t.Fatal(err)
	}
	pub := jose.JSONWebKey{Key: k.Signer.Public()}
	want, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID != base64.RawURLEncoding.EncodeToString(want) {
		t.Errorf("kid %s is not the SHA-256 thumbprint", k.ID)
	}
}

func TestJWKS_PublishesOnlyPublicKeys(t *testing.T) {
	rsa, _ := GenerateKey(RS384)
	ec, _ := GenerateKey(ES384)
	data, err := json.Marshal(JWKS(rsa, ec))
	if err != nil {
		t.Fatal(err)
	}
	for _, private := range []string{`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`} {
		if strings.Contains(string(data), private+":") {
			t.Errorf("JWK Set has private member %s: %s", private, data)
		}
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 2 || set.Keys[0].KeyID != rsa.ID || set.Keys[1].Algorithm != ES384 || !set.Keys[1].IsPublic() {
		t.Errorf("JWK Set %s", data)
	}
}

func TestReadKeys_RefusesWeakOrMissingKeys(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadKeys(dir); err == nil || !strings.Contains(err.Error(), "keys generate") {
		t.Errorf("empty key directory: %v, want a hint to generate a key", err)
	}
	bad := filepath.Join(dir, "bad.pem")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	if _, err := ReadKeyFile(bad); err == nil {
		t.Error("ReadKeyFile of a non-PEM file succeeded")
	}
}

// The assertion carries what SMART Backend Services requires, verifiable
// with the published key: RS384 and ES384 (raw R‖S, 96 bytes).
func TestSignAssertion_ClaimsAndSignature(t *testing.T) {
	for _, alg := range []string{RS384, ES384} {
		t.Run(alg, func(t *testing.T) {
			k, err := GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			const tokenURL = "https://ehr.example.org/oauth2/token"
			a1, err := signAssertion(k, "client-1", tokenURL, "https://engine.example.org/.well-known/jwks.json", now)
			if err != nil {
				t.Fatal(err)
			}
			a2, _ := signAssertion(k, "client-1", tokenURL, "", now)
			claims := jwt.MapClaims{}
			tok, err := jwt.ParseWithClaims(a1, claims, func(*jwt.Token) (any, error) { return k.Signer.Public(), nil },
				jwt.WithValidMethods([]string{alg}), jwt.WithAudience(tokenURL), jwt.WithIssuer("client-1"),
				jwt.WithSubject("client-1"), jwt.WithExpirationRequired())
			if err != nil {
				t.Fatalf("assertion does not verify: %v", err)
			}
			if tok.Header["kid"] != k.ID || tok.Header["jku"] != "https://engine.example.org/.well-known/jwks.json" {
				t.Errorf("header %v", tok.Header)
			}
			if aud, ok := claims["aud"].(string); !ok || aud != tokenURL {
				t.Errorf("aud %v, want the token URL as a string", claims["aud"])
			}
			exp, _ := claims.GetExpirationTime()
			if life := exp.Sub(now); life > 5*time.Minute || life < time.Minute {
				t.Errorf("assertion lives %v; SMART allows at most 5 minutes", life)
			}
			c2 := jwt.MapClaims{}
			jwt.NewParser().ParseUnverified(a2, c2)
			if claims["jti"] == "" || claims["jti"] == c2["jti"] {
				t.Errorf("jti %v reused: %v", claims["jti"], c2["jti"])
			}
			if alg == ES384 {
				sig, _ := base64.RawURLEncoding.DecodeString(a1[strings.LastIndex(a1, ".")+1:])
				if len(sig) != 96 {
					t.Errorf("ES384 signature is %d bytes, want 96 (raw R‖S, not DER)", len(sig))
				}
			}
		})
	}
}
