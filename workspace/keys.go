package workspace

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/canvass-vote/canvass/ledger"
)

// GenerateKey makes an Ed25519 key pair in the note format (golang.org/x/mod/sumdb/note): the
// signer key "PRIVATE+KEY+<name>+<hash>+<key>" and the verifier key "<name>+<hash>+<key>".
// The name is made a key name with ledger.KeyName.
func GenerateKey(name string) (skey, vkey string, err error) {
	kn, err := ledger.KeyName(name)
	if err != nil {
		return "", "", err
	}
	return note.GenerateKey(rand.Reader, kn)
}

// WriteKeyPair writes the signer key to path with mode 0600 (refusing to overwrite a file)
// and the verifier key to path.pub.
func WriteKeyPair(path, skey, vkey string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing the private key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	pub := strings.TrimSuffix(path, ".key") + ".pub"
	return os.WriteFile(pub, []byte(vkey+"\n"), 0o644)
}

// Signer is a loaded private key with its verifier key.
type Signer struct {
	note.Signer
	VerifierKey string
}

// LoadSigner reads a signer key file written by WriteKeyPair. It refuses a file that others
// can read, as ssh does.
func LoadSigner(path string) (*Signer, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: private key readable by others (mode %v); run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	skey := strings.TrimSpace(string(b))
	s, err := note.NewSigner(skey)
	if err != nil {
		// The error would quote the key; say only what is wrong.
		return nil, fmt.Errorf("%s: not a signer key (PRIVATE+KEY+name+hash+key)", path)
	}
	vkey, err := verifierKey(skey)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Signer{Signer: s, VerifierKey: vkey}, nil
}

// verifierKey derives the verifier key of an Ed25519 signer key.
func verifierKey(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return "", errors.New("not a signer key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("not an Ed25519 signer key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// ReadVerifierKey reads a verifier key from a file, or takes the argument itself when it is a
// key rather than a file name.
func ReadVerifierKey(arg string) (note.Verifier, string, error) {
	vkey := arg
	if b, err := os.ReadFile(arg); err == nil {
		vkey = strings.TrimSpace(string(b))
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, "", fmt.Errorf("%s: not a verifier key (name+hash+key) nor a file holding one", arg)
	}
	return v, vkey, nil
}
