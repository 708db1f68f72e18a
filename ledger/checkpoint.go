package ledger

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a signed statement of a log's size and root (C2SP tlog-checkpoint). Its text
// is three lines, each ending in a newline:
//
//	<origin>
//	<size in decimal>
//	<root hash in standard base64>
//
// and it is signed as a note (C2SP signed-note, golang.org/x/mod/sumdb/note): a blank line,
// then one line "— <key name> <base64(key hash || signature)>" per signature.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   Hash
}

// Text is the checkpoint body that is signed.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, c.Root.Base64())
}

// Sign signs the checkpoint as a note with each signer.
func (c Checkpoint) Sign(signers ...note.Signer) ([]byte, error) {
	if err := checkOrigin(c.Origin); err != nil {
		return nil, err
	}
	return note.Sign(&note.Note{Text: c.Text()}, signers...)
}

func checkOrigin(o string) error {
	if o == "" || strings.ContainsAny(o, "\n") || strings.TrimSpace(o) != o {
		return fmt.Errorf("ledger: origin %q must be one non-empty line without surrounding spaces", o)
	}
	return nil
}

// ParseCheckpoint parses a checkpoint's text (the note body, without signatures).
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	lines := strings.SplitAfter(text, "\n")
	if len(lines) < 4 || !strings.HasSuffix(text, "\n") {
		return c, errors.New("checkpoint: want origin, size and root hash lines, each ending in a newline")
	}
	c.Origin = strings.TrimSuffix(lines[0], "\n")
	if err := checkOrigin(c.Origin); err != nil {
		return c, fmt.Errorf("checkpoint: %w", err)
	}
	sizeLine := strings.TrimSuffix(lines[1], "\n")
	size, err := strconv.ParseUint(sizeLine, 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != sizeLine {
		return c, fmt.Errorf("checkpoint: size %q is not a decimal number", sizeLine)
	}
	c.Size = size
	rootLine := strings.TrimSuffix(lines[2], "\n")
	root, err := base64.StdEncoding.Strict().DecodeString(rootLine)
	// The decoder skips CR and LF; the root line must be the one encoding of the hash.
	if err != nil || len(root) != HashSize || base64.StdEncoding.EncodeToString(root) != rootLine {
		return c, fmt.Errorf("checkpoint: root hash %q is not %d bytes of base64", strings.TrimSuffix(lines[2], "\n"), HashSize)
	}
	copy(c.Root[:], root)
	// Further lines are extensions, which this log does not write and a reader ignores.
	return c, nil
}

// OpenCheckpoint verifies a signed checkpoint with the log's verifier key and parses it. It
// fails if the note carries no valid signature by that key.
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		var unk *note.UnverifiedNoteError
		if errors.As(err, &unk) {
			names := make([]string, len(unk.Note.UnverifiedSigs))
			for i, s := range unk.Note.UnverifiedSigs {
				names[i] = s.Name
			}
			return Checkpoint{}, fmt.Errorf("checkpoint: no valid signature by %s (signed by: %s)", v.Name(), strings.Join(names, ", "))
		}
		return Checkpoint{}, fmt.Errorf("checkpoint: signature by %s: %w", v.Name(), err)
	}
	return ParseCheckpoint(n.Text)
}

// CheckpointText returns the body of a signed checkpoint without verifying it, for a verifier
// that first has to learn which key to use.
func CheckpointText(msg []byte) (string, error) {
	i := bytes.Index(msg, []byte("\n\n"))
	if i < 0 {
		return "", errors.New("checkpoint: no blank line before the signatures")
	}
	return string(msg[:i+1]), nil
}

// KeyName turns a person's or board's name into a note key name: note key names may not hold
// spaces or '+', so spaces become '_' ("Dane County Board of Canvassers" becomes
// "Dane_County_Board_of_Canvassers").
func KeyName(name string) (string, error) {
	n := strings.Join(strings.Fields(name), "_")
	if n == "" || strings.Contains(n, "+") || !utf8.ValidString(n) {
		return "", fmt.Errorf("key name %q: must be non-empty UTF-8 and may not contain '+'", name)
	}
	return n, nil
}

// DisplayName undoes KeyName for people.
func DisplayName(keyName string) string { return strings.ReplaceAll(keyName, "_", " ") }
