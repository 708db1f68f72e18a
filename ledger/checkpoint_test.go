package ledger

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

type testKey struct {
	name     string
	vkey     string
	signer   note.Signer
	verifier note.Verifier
}

func newTestKey(t testing.TB, name string) testKey {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{name: name, vkey: vkey, signer: s, verifier: v}
}

// vectorCheckpoint is the checkpoint of the 8-leaf RFC 6962 test tree (tree_test.go); its
// root 5dc9da79…4328 in base64 is XcnaeacG…gQyg=.
func vectorCheckpoint(t testing.TB) Checkpoint {
	return Checkpoint{Origin: "example.com/canvass/dane", Size: 8, Root: mustHash(t, vectorRoots[8])}
}

const vectorCheckpointText = "example.com/canvass/dane\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"

func TestCheckpointSignAndOpen(t *testing.T) {
	k := newTestKey(t, "example.com/canvass/dane")
	cp := vectorCheckpoint(t)
	if got := cp.Text(); got != vectorCheckpointText {
		t.Errorf("Text() = %q, want %q", got, vectorCheckpointText)
	}
	msg, err := cp.Sign(k.signer)
	if err != nil {
		t.Fatal(err)
	}

	// The signed-note format (C2SP signed-note): the text, a blank line, and one line
	// "— <name> <base64(key ID || signature)>\n".
	prefix := vectorCheckpointText + "\n\u2014 " + k.name + " "
	if !bytes.HasPrefix(msg, []byte(prefix)) || !bytes.HasSuffix(msg, []byte("\n")) {
		t.Fatalf("signed checkpoint is %q, want %q…\\n", msg, prefix)
	}
	sigLine := strings.TrimSuffix(string(msg[len(prefix):]), "\n")
	sig, err := base64.StdEncoding.DecodeString(sigLine)
	if err != nil || len(sig) != 4+ed25519.SignatureSize {
		t.Fatalf("signature %q: %d bytes, %v; want key ID and an Ed25519 signature", sigLine, len(sig), err)
	}
	// Checked against the specification with crypto/ed25519 alone: the verifier key is
	// "<name>+<key ID in hex>+<base64(0x01 || public key)>", the key ID is the first four bytes
	// of SHA-256(name || "\n" || 0x01 || public key), and the signature is Ed25519 over the text.
	parts := strings.SplitN(k.vkey, "+", 3) // base64 may hold "+" too
	if len(parts) != 3 || parts[0] != k.name {
		t.Fatalf("verifier key %q", k.vkey)
	}
	keyBytes, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(keyBytes) != 1+ed25519.PublicKeySize || keyBytes[0] != 0x01 {
		t.Fatalf("verifier key %q: not an Ed25519 key", k.vkey)
	}
	id := sha256.Sum256(append([]byte(k.name+"\n"), keyBytes...))
	if parts[1] != hex.EncodeToString(id[:4]) {
		t.Errorf("key ID in %q is not SHA-256(name, newline, key)[:4] = %x", k.vkey, id[:4])
	}
	if !bytes.Equal(sig[:4], id[:4]) {
		t.Errorf("signature key ID %x, want %x", sig[:4], id[:4])
	}
	if !ed25519.Verify(ed25519.PublicKey(keyBytes[1:]), []byte(vectorCheckpointText), sig[4:]) {
		t.Error("the signature is not an Ed25519 signature of the checkpoint text")
	}

	// The note package is the reference verifier.
	n, err := note.Open(msg, note.VerifierList(k.verifier))
	if err != nil {
		t.Fatalf("note.Open: %v", err)
	}
	if n.Text != vectorCheckpointText || len(n.Sigs) != 1 || n.Sigs[0].Name != k.name {
		t.Errorf("note.Open = %q signed by %v", n.Text, n.Sigs)
	}
	got, err := OpenCheckpoint(msg, k.verifier)
	if err != nil {
		t.Fatalf("OpenCheckpoint: %v", err)
	}
	if got != cp {
		t.Errorf("OpenCheckpoint = %+v, want %+v", got, cp)
	}
	if text, err := CheckpointText(msg); err != nil || text != vectorCheckpointText {
		t.Errorf("CheckpointText = %q, %v", text, err)
	}
}

func TestOpenCheckpointRefuses(t *testing.T) {
	log := newTestKey(t, "example.com/canvass/dane")
	other := newTestKey(t, "example.com/elsewhere")
	sameName := newTestKey(t, "example.com/canvass/dane") // same name, another key
	cp := vectorCheckpoint(t)

	byOther, err := cp.Sign(other.signer)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenCheckpoint(byOther, log.verifier)
	if err == nil {
		t.Fatal("OpenCheckpoint accepted a checkpoint signed by another key")
	}
	if !strings.Contains(err.Error(), log.name) || !strings.Contains(err.Error(), other.name) {
		t.Errorf("error %q should name the expected key %s and the signer %s", err, log.name, other.name)
	}
	// The reference verifier refuses it too.
	var unverified *note.UnverifiedNoteError
	if _, err := note.Open(byOther, note.VerifierList(log.verifier)); !errors.As(err, &unverified) {
		t.Errorf("note.Open: %v, want UnverifiedNoteError", err)
	}

	bySameName, err := cp.Sign(sameName.signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCheckpoint(bySameName, log.verifier); err == nil || !strings.Contains(err.Error(), log.name) {
		t.Errorf("checkpoint by another key of the same name: %v", err)
	}

	// A second signature by another key is ignored (C2SP signed-note: verifiers ignore
	// signatures from unknown keys).
	both, err := cp.Sign(other.signer, log.signer)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := OpenCheckpoint(both, log.verifier); err != nil || got != cp {
		t.Errorf("checkpoint signed by the log and a witness: %+v, %v", got, err)
	}

	// Any change to the text breaks the signature.
	good, err := cp.Sign(log.signer)
	if err != nil {
		t.Fatal(err)
	}
	for _, tamper := range []func([]byte) []byte{
		func(b []byte) []byte { return bytes.Replace(b, []byte("\n8\n"), []byte("\n9\n"), 1) },
		func(b []byte) []byte { return bytes.Replace(b, []byte("dane\n"), []byte("dana\n"), 1) },
		func(b []byte) []byte { return bytes.Replace(b, []byte("Xcna"), []byte("Ycna"), 1) },
	} {
		bad := tamper(append([]byte(nil), good...))
		if bytes.Equal(bad, good) {
			t.Fatal("tampering changed nothing")
		}
		_, err := OpenCheckpoint(bad, log.verifier)
		if err == nil || !strings.Contains(err.Error(), log.name) {
			t.Errorf("tampered checkpoint %q: %v", bad, err)
		}
	}
	if _, err := OpenCheckpoint([]byte(vectorCheckpointText), log.verifier); err == nil {
		t.Error("OpenCheckpoint accepted an unsigned checkpoint")
	}
	if _, err := CheckpointText([]byte(vectorCheckpointText)); err == nil {
		t.Error("CheckpointText accepted a text without signatures")
	}

	// Sign refuses an origin that cannot be the first line.
	for _, o := range []string{"", "a\nb", " a", "a "} {
		if _, err := (Checkpoint{Origin: o, Size: 1}).Sign(log.signer); err == nil {
			t.Errorf("Sign with origin %q succeeded", o)
		}
	}
}

// The example of C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint), whose key the
// specification does not publish: its text parses, and it is refused for want of a
// signature by the verifier's key, with the key named.
const c2spCheckpoint = "example.com/behind-the-sofa\n" +
	"20852163\n" +
	"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n" +
	"\n" +
	"\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"

func TestC2SPCheckpointExample(t *testing.T) {
	text, err := CheckpointText([]byte(c2spCheckpoint))
	if err != nil {
		t.Fatal(err)
	}
	cp, err := ParseCheckpoint(text)
	if err != nil {
		t.Fatal(err)
	}
	// The root is the base64 of these 32 bytes.
	want := Checkpoint{Origin: "example.com/behind-the-sofa", Size: 20852163,
		Root: mustHash(t, "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62")}
	if cp != want {
		t.Errorf("ParseCheckpoint = %+v, want %+v", cp, want)
	}
	if cp.Text() != text {
		t.Errorf("Text() = %q, want the example's %q", cp.Text(), text)
	}
	k := newTestKey(t, "example.com/behind-the-sofa")
	_, err = OpenCheckpoint([]byte(c2spCheckpoint), k.verifier)
	if err == nil || !strings.Contains(err.Error(), k.verifier.Name()) {
		t.Errorf("OpenCheckpoint of the example with an unrelated key: %v", err)
	}
	var unverified *note.UnverifiedNoteError
	if _, err := note.Open([]byte(c2spCheckpoint), note.VerifierList(k.verifier)); !errors.As(err, &unverified) {
		t.Errorf("note.Open: %v, want UnverifiedNoteError", err)
	}
}

// The signed note published in the documentation of golang.org/x/mod/sumdb/note (its
// "Example" section), with its verifier key. Its text is not a checkpoint, so OpenCheckpoint
// must get past the signature (which is genuine) and then refuse the text.
const (
	neumannVKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
	neumannNote = "If you think cryptography is the answer to your problem,\n" +
		"then you don't know what your problem is.\n" +
		"\n" +
		"\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

func TestOpenCheckpointPublishedNote(t *testing.T) {
	v, err := note.NewVerifier(neumannVKey)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenCheckpoint([]byte(neumannNote), v)
	if err == nil {
		t.Fatal("OpenCheckpoint accepted a note that is not a checkpoint")
	}
	if strings.Contains(err.Error(), "signature") {
		t.Errorf("the published signature is valid, but OpenCheckpoint says: %v", err)
	}
	tampered := strings.Replace(neumannNote, "answer", "Answer", 1)
	if _, err := OpenCheckpoint([]byte(tampered), v); err == nil || !strings.Contains(err.Error(), "PeterNeumann") {
		t.Errorf("tampered published note: %v", err)
	}
}

func TestParseCheckpoint(t *testing.T) {
	root := "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="
	good := []struct {
		text string
		want Checkpoint
	}{
		{"example.com/log\n8\n" + root + "\n", Checkpoint{"example.com/log", 8, mustHash(t, vectorRoots[8])}},
		{"o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", Checkpoint{"o", 0, EmptyRoot()}},
		{"o\n18446744073709551615\n" + root + "\n", Checkpoint{"o", 18446744073709551615, mustHash(t, vectorRoots[8])}},
		// Extension lines (tlog-checkpoint "Note text" item 4) are ignored.
		{"o\n8\n" + root + "\nextension\n", Checkpoint{"o", 8, mustHash(t, vectorRoots[8])}},
		// The origin is any non-empty line (only recommended to be a schema-less URL).
		{"Dane County 2026 General\n8\n" + root + "\n", Checkpoint{"Dane County 2026 General", 8, mustHash(t, vectorRoots[8])}},
	}
	for _, c := range good {
		got, err := ParseCheckpoint(c.text)
		if err != nil || got != c.want {
			t.Errorf("ParseCheckpoint(%q) = %+v, %v; want %+v", c.text, got, err, c.want)
		}
	}
	for _, text := range []string{
		"",
		"o\n8\n" + root,          // no final newline
		"o\n8\n",                 // no root line
		"\n8\n" + root + "\n",    // empty origin
		" o\n8\n" + root + "\n",  // origin with a leading space
		"o \n8\n" + root + "\n",  // origin with a trailing space
		"o\n08\n" + root + "\n",  // leading zero
		"o\n+8\n" + root + "\n",  // sign
		"o\n-1\n" + root + "\n",  // negative
		"o\n\n" + root + "\n",    // empty size
		"o\n8 \n" + root + "\n",  // trailing space
		"o\n0x8\n" + root + "\n", // hex
		"o\n18446744073709551616\n" + root + "\n",            // more than 64 bits
		"o\n8\n" + strings.TrimSuffix(root, "=") + "\n",      // unpadded
		"o\n8\n" + strings.ReplaceAll(root, "+", "-") + "\n", // URL alphabet
		"o\n8\nAAAA\n", // 3 bytes
		"o\n8\n" + base64.StdEncoding.EncodeToString(make([]byte, 33)) + "\n", // 33 bytes
	} {
		if got, err := ParseCheckpoint(text); err == nil {
			t.Errorf("ParseCheckpoint(%q) = %+v, want an error", text, got)
		}
	}
}

// The root line must be exactly the base64 of the root: Go's base64 decoder skips '\r' even in
// Strict mode, so a root line with a carriage return decodes to the same hash, and one
// checkpoint would have two texts. (note.Open refuses control characters, but ParseCheckpoint
// also reads texts that CheckpointText took from an unverified note.)
func TestParseCheckpointRootOneEncoding(t *testing.T) {
	root := "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="
	for _, text := range []string{
		"o\n8\n" + root + "\r\n",
		"o\n8\n" + root[:4] + "\r" + root[4:] + "\n",
	} {
		if got, err := ParseCheckpoint(text); err == nil {
			t.Errorf("ParseCheckpoint(%q) = %+v, want an error", text, got)
		}
	}
}

// FuzzParseCheckpoint checks that ParseCheckpoint never panics and that what it accepts starts
// with the exact text of the checkpoint it returns (there is one encoding of each checkpoint).
func FuzzParseCheckpoint(f *testing.F) {
	f.Add(vectorCheckpointText)
	f.Add("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
	f.Add("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\next\n")
	f.Add("o\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n")
	f.Add("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg\n")
	f.Add("\n\n\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		cp, err := ParseCheckpoint(text)
		if err != nil {
			return
		}
		if !strings.HasPrefix(text, cp.Text()) {
			t.Fatalf("ParseCheckpoint(%q) = %+v, whose text %q is not how the input begins", text, cp, cp.Text())
		}
	})
}

func TestKeyName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Dane County Board of Canvassers", "Dane_County_Board_of_Canvassers"}, // the doc comment's example
		{"  Jane   Doe ", "Jane_Doe"},
		{"Jane\tDoe\n", "Jane_Doe"},
		{"Jane\u00a0Doe", "Jane_Doe"}, // no-break space is a Unicode space
		{"José Núñez", "José_Núñez"},
		{"example.com/log", "example.com/log"},
	} {
		got, err := KeyName(c.in)
		if err != nil || got != c.want {
			t.Errorf("KeyName(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "   ", "\t\n", "A+B", "Jane + Doe"} {
		if got, err := KeyName(in); err == nil {
			t.Errorf("KeyName(%q) = %q, want an error", in, got)
		}
	}
	if got := DisplayName("Dane_County_Board_of_Canvassers"); got != "Dane County Board of Canvassers" {
		t.Errorf("DisplayName = %q", got)
	}
}

// Every name KeyName returns must be one the note package takes as a key name (C2SP
// signed-note: non-empty, no Unicode spaces, no '+'; golang.org/x/mod/sumdb/note also
// requires valid UTF-8).
func TestKeyNameIsANoteKeyName(t *testing.T) {
	for _, in := range []string{
		"Dane County Board of Canvassers",
		"José Núñez",
		"Jos\xe9 N\xfa\xf1ez", // the same name in Latin-1, as a Windows CSV may hold it
		"a\u2003b",            // em space
		"\u3000x",             // ideographic space
	} {
		name, err := KeyName(in)
		if err != nil {
			continue
		}
		if err := usableKeyName(name); err != nil {
			t.Errorf("KeyName(%q) = %q, which the note package refuses: %v", in, name, err)
		}
	}
}

// usableKeyName makes a key of that name and loads it as note.NewSigner and note.NewVerifier
// do, which check the name (note.GenerateKey does not).
func usableKeyName(name string) error {
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return err
	}
	if _, err := note.NewSigner(skey); err != nil {
		return err
	}
	_, err = note.NewVerifier(vkey)
	return err
}

// FuzzKeyName checks that KeyName never returns a name the note package refuses.
func FuzzKeyName(f *testing.F) {
	f.Add("Dane County Board of Canvassers")
	f.Add("  Jane\tDoe ")
	f.Add("A+B")
	f.Add("")
	f.Add("\u00a0\u2028x")
	f.Fuzz(func(t *testing.T, in string) {
		name, err := KeyName(in)
		if err != nil {
			return
		}
		if err := usableKeyName(name); err != nil {
			t.Fatalf("KeyName(%q) = %q, which the note package refuses: %v", in, name, err)
		}
	})
}
