package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/tabulate"
)

// Tabulation is a recorded tabulation.
type Tabulation struct {
	Seq  uint64
	Body ledger.TabulationBody
	// Full is the full result (with per-unit tables) as canonical JSON.
	Full []byte
}

// RecordTabulation tabulates one contest and records the result in the ledger. source
// chooses "cvr" or "results" when the contest is counted from both; by is the level of the
// per-unit tables kept in the full result.
func (w *Workspace) RecordTabulation(ctx context.Context, contest, source string, by canvass.Level) (*Tabulation, error) {
	at := w.now()
	var t *Tabulation
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		t, err = w.recordTabulation(tx, at, contest, source, by, false)
		return err
	})
	return t, err
}

// pickContest tabulates and chooses the contest of the given name and source.
func pickContest(tx store.Tx, contest, source string, by canvass.Level) (*tabulate.ContestResult, error) {
	res, err := tabulateTx(tx, TabulateOptions{Contest: contest, By: by})
	if err != nil {
		return nil, err
	}
	var found []tabulate.ContestResult
	for _, c := range res.Contests {
		if source == "" || c.Source == source {
			found = append(found, c)
		}
	}
	switch {
	case len(found) == 0:
		return nil, fmt.Errorf("contest %q is not counted from %s", contest, source)
	case len(found) > 1:
		return nil, fmt.Errorf("contest %q is counted both from cast vote records and from results; choose with --source cvr or --source results", contest)
	}
	return &found[0], nil
}

func (w *Workspace) recordTabulation(tx store.Tx, at time.Time, contest, source string, by canvass.Level, reuse bool) (*Tabulation, error) {
	if by == "" {
		by = canvass.LevelState
	}
	c, err := pickContest(tx, contest, source, by)
	if err != nil {
		return nil, err
	}
	full, err := ledger.Canonical(c)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(full)
	c.Units = nil
	summary, err := ledger.Canonical(c)
	if err != nil {
		return nil, err
	}
	inputs, err := activeImports(tx, c.Source)
	if err != nil {
		return nil, err
	}
	body := ledger.TabulationBody{Contest: c.Name, Source: c.Source, Level: string(by), Inputs: inputs, Result: summary, FullSHA256: hex.EncodeToString(sum[:])}
	if reuse {
		last, err := lastTabulation(tx, c.Name, c.Source, string(by))
		if err != nil {
			return nil, err
		}
		if last != nil && reflect.DeepEqual(last.Body, body) {
			return last, nil
		}
	}
	seq, _, err := w.append(tx, at, ledger.TypeTabulation, body)
	if err != nil {
		return nil, err
	}
	if err := tx.AddTabulation(seq, full); err != nil {
		return nil, err
	}
	return &Tabulation{Seq: seq, Body: body, Full: full}, nil
}

// activeImports lists the import entries whose data the workspace counts now.
func activeImports(tx store.Tx, source string) ([]uint64, error) {
	files, err := tx.Files()
	if err != nil {
		return nil, err
	}
	replaced := map[int64]bool{}
	for _, f := range files {
		if f.Replaced != 0 {
			replaced[f.Replaced] = true
		}
	}
	out := []uint64{}
	for _, f := range files {
		if f.Kind == source && !replaced[f.ID] {
			out = append(out, f.Entry)
		}
	}
	return out, nil
}

// entriesOf decodes the entries of one type.
func entriesOf(tx store.Tx, typ string, fn func(e *ledger.Entry, data []byte) error) error {
	return tx.EntriesOfType(typ, func(seq uint64, data []byte) error {
		e, err := ledger.Decode(data)
		if err != nil {
			return fmt.Errorf("ledger entry %d: %w", seq, err)
		}
		return fn(e, data)
	})
}

func lastTabulation(tx store.Tx, contest, source, level string) (*Tabulation, error) {
	var last *Tabulation
	err := entriesOf(tx, ledger.TypeTabulation, func(e *ledger.Entry, _ []byte) error {
		var b ledger.TabulationBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		if b.Contest == contest && b.Source == source && b.Level == level {
			last = &Tabulation{Seq: e.Seq, Body: b}
		}
		return nil
	})
	if err != nil || last == nil {
		return nil, err
	}
	last.Full, err = tx.Tabulation(last.Seq)
	return last, err
}

// Tabulations lists the recorded tabulations (without their full results).
func (w *Workspace) Tabulations(ctx context.Context) ([]Tabulation, error) {
	var out []Tabulation
	err := w.Store.View(ctx, func(tx store.Tx) error {
		return entriesOf(tx, ledger.TypeTabulation, func(e *ledger.Entry, _ []byte) error {
			var b ledger.TabulationBody
			if err := e.DecodeBody(&b); err != nil {
				return err
			}
			out = append(out, Tabulation{Seq: e.Seq, Body: b})
			return nil
		})
	})
	return out, err
}

// CertifyOptions describe a certification.
type CertifyOptions struct {
	Contest string
	// Source ("cvr" or "results") when the contest is counted from both.
	Source string
	// Level of the per-unit tables of the certified tabulation (default precinct).
	Level canvass.Level
	// Signers are the board members' keys; each signs the statement.
	Signers []*Signer
	// Overrides maps a rule that refuses the certification to the reason it is overridden.
	Overrides map[string]string
	// Amends is the certification this one amends (nil for a first certification), with
	// Reason saying why.
	Amends *uint64
	Reason string
}

// Certification is a recorded certification or amendment.
type Certification struct {
	Seq  uint64
	Type string
	Body ledger.CertificationBody
	// AmendedBy is the entry of the amendment that supersedes it (0 if none).
	AmendedBy uint64
}

// Blocker is a finding that refuses a certification unless overridden.
type Blocker struct {
	Rule string
	What string
}

// ErrRefused is returned when a certification is refused.
var ErrRefused = errors.New("certification refused")

// blockers lists what in the result stands in the way of certifying it; auditBlockers adds
// the audits of the contest that are not finished, and reconcileBlockers the errors of the last
// recorded reconciliation.
func blockers(c *tabulate.ContestResult) []Blocker {
	var out []Blocker
	if c.Ballots == 0 {
		var votes int64
		for _, ch := range c.Choices {
			votes += ch.Votes
		}
		if votes == 0 {
			out = append(out, Blocker{"no-votes", "the contest has no ballots and no votes"})
		}
	}
	if len(c.Tied) > 0 {
		out = append(out, Blocker{"tie", fmt.Sprintf("%s are tied for the last seat; the law's tie-break (usually by lot) must be carried out and recorded", strings.Join(c.Tied, ", "))})
	}
	// Unresolved write-ins that could change the outcome: their total reaches the margin
	// between the last winner and the best choice that did not win.
	if c.WriteIns > 0 && len(c.Winners) > 0 {
		votes := map[string]int64{}
		won := map[string]bool{}
		for _, ch := range c.Choices {
			votes[ch.Name] = ch.Votes
		}
		last := int64(-1)
		for _, name := range c.Winners {
			won[name] = true
			if last < 0 || votes[name] < last {
				last = votes[name]
			}
		}
		var runner int64
		for _, ch := range c.Choices {
			if !won[ch.Name] && !ch.WriteIn && ch.Votes > runner {
				runner = ch.Votes
			}
		}
		if c.WriteIns >= last-runner {
			out = append(out, Blocker{"write-ins", fmt.Sprintf("%d unresolved write-in votes reach the margin of %d; resolve them before certifying", c.WriteIns, last-runner)})
		}
	}
	return out
}

// statement is the text each signer signs (a note text: lines ending in newline, no control
// characters).
func statement(origin string, b *ledger.CertificationBody, c *tabulate.ContestResult, kind string) string {
	var s strings.Builder
	clean := func(x string) string {
		return strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, x)
	}
	fmt.Fprintf(&s, "canvass %s\n", kind)
	fmt.Fprintf(&s, "log %s\n", clean(origin))
	fmt.Fprintf(&s, "contest %s\n", clean(b.Contest))
	fmt.Fprintf(&s, "tabulation %d %s\n", b.Tabulation, b.TabulationHash)
	fmt.Fprintf(&s, "ballots %d\n", c.Ballots)
	for _, ch := range c.Choices {
		fmt.Fprintf(&s, "votes %d %s\n", ch.Votes, clean(ch.Name))
	}
	for _, wn := range b.Winners {
		fmt.Fprintf(&s, "winner %s\n", clean(wn))
	}
	for _, o := range b.Overrides {
		fmt.Fprintf(&s, "override %s %s\n", clean(o.Rule), clean(o.Reason))
	}
	if b.Amends != nil {
		fmt.Fprintf(&s, "amends %d\n", *b.Amends)
		fmt.Fprintf(&s, "reason %s\n", clean(b.Reason))
	}
	for _, sg := range b.Signers {
		fmt.Fprintf(&s, "signer %s\n", sg.Key)
	}
	return s.String()
}

// Certify records a certification of a contest's result, signed by each signer: it tabulates
// (reusing the last recorded tabulation when nothing changed since), refuses when a blocker
// stands and is not overridden, or when the contest is already certified and this is not an
// amendment of its latest certification, and appends the signed entry.
func (w *Workspace) Certify(ctx context.Context, opts CertifyOptions) (*Certification, error) {
	if len(opts.Signers) == 0 {
		return nil, errors.New("certify: name at least one --signer key")
	}
	at := w.now()
	info, err := w.LogInfo(ctx)
	if err != nil {
		return nil, err
	}
	var out *Certification
	err = w.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		signers := make([]ledger.Signer, len(opts.Signers))
		for i, s := range opts.Signers {
			signers[i] = ledger.Signer{Name: ledger.DisplayName(s.Name()), Key: s.VerifierKey}
		}
		out, err = w.certify(tx, at, info.Origin, opts, signers, func(text string, body *ledger.CertificationBody) error {
			signers := make([]note.Signer, len(opts.Signers))
			for i, s := range opts.Signers {
				signers[i] = s.Signer
			}
			msg, err := note.Sign(&note.Note{Text: text}, signers...)
			if err != nil {
				return err
			}
			body.Note = string(msg)
			return nil
		})
		return err
	})
	return out, err
}

// certify is the certification shared by Certify and the rebuild: sign fills in body.Note
// (by signing, or by checking a published signed note).
func (w *Workspace) certify(tx store.Tx, at time.Time, origin string, opts CertifyOptions, signers []ledger.Signer, sign func(text string, body *ledger.CertificationBody) error) (*Certification, error) {
	level := opts.Level
	if level == "" {
		level = canvass.LevelPrecinct
	}
	tab, err := w.recordTabulation(tx, at, opts.Contest, opts.Source, level, true)
	if err != nil {
		return nil, err
	}
	var c tabulate.ContestResult
	if err := json.Unmarshal(tab.Body.Result, &c); err != nil {
		return nil, err
	}
	var refused []string
	var overrides []ledger.Override
	used := map[string]bool{}
	ab, err := w.auditBlockers(tx, c.Name, c.Winners)
	if err != nil {
		return nil, err
	}
	rb, err := w.reconcileBlockers(tx)
	if err != nil {
		return nil, err
	}
	for _, b := range append(append(blockers(&c), ab...), rb...) {
		if reason, ok := opts.Overrides[b.Rule]; ok && strings.TrimSpace(reason) != "" {
			overrides = append(overrides, ledger.Override{Rule: b.Rule, Reason: reason})
			used[b.Rule] = true
			continue
		}
		refused = append(refused, fmt.Sprintf("%s: %s (override with --override %s='reason')", b.Rule, b.What, b.Rule))
	}
	if len(refused) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrRefused, strings.Join(refused, "; "))
	}
	for rule := range opts.Overrides {
		if !used[rule] {
			return nil, fmt.Errorf("%w: --override %s names no finding that stands in the way", ErrRefused, rule)
		}
	}
	certs, err := certificationsTx(tx)
	if err != nil {
		return nil, err
	}
	var current *Certification
	for i := range certs {
		if canvass.NameKey(certs[i].Body.Contest) == canvass.NameKey(c.Name) && certs[i].AmendedBy == 0 {
			current = &certs[i]
		}
	}
	typ := ledger.TypeCertification
	switch {
	case opts.Amends == nil && current != nil:
		return nil, fmt.Errorf("%w: %q is already certified (entry %d); an amendment names it: --amends %d --reason '...'", ErrRefused, c.Name, current.Seq, current.Seq)
	case opts.Amends != nil && (current == nil || current.Seq != *opts.Amends):
		if current == nil {
			return nil, fmt.Errorf("%w: --amends %d: %q has no certification to amend", ErrRefused, *opts.Amends, c.Name)
		}
		return nil, fmt.Errorf("%w: --amends %d: the current certification of %q is entry %d", ErrRefused, *opts.Amends, c.Name, current.Seq)
	case opts.Amends != nil:
		if strings.TrimSpace(opts.Reason) == "" {
			return nil, fmt.Errorf("%w: an amendment needs --reason", ErrRefused)
		}
		typ = ledger.TypeAmendment
	}
	var tabHash ledger.Hash
	err = tx.Entries(tab.Seq, tab.Seq+1, func(_ uint64, data []byte) error {
		tabHash = ledger.LeafHash(data)
		return nil
	})
	if err != nil {
		return nil, err
	}
	body := ledger.CertificationBody{Contest: c.Name, Tabulation: tab.Seq, TabulationHash: tabHash.String(),
		Winners: c.Winners, Overrides: overrides, Amends: opts.Amends, Reason: opts.Reason}
	if body.Winners == nil {
		body.Winners = []string{}
	}
	body.Signers = signers
	kind := "certification"
	if typ == ledger.TypeAmendment {
		kind = "amendment"
	}
	if err := sign(statement(origin, &body, &c, kind), &body); err != nil {
		return nil, err
	}
	seq, _, err := w.append(tx, at, typ, body)
	if err != nil {
		return nil, err
	}
	return &Certification{Seq: seq, Type: typ, Body: body}, nil
}

// checkNote checks a published certification's signed note: its text must be the statement
// and it must carry a valid signature by every signer it names.
func checkNote(text string, body *ledger.CertificationBody) error {
	var vs []note.Verifier
	for _, s := range body.Signers {
		v, err := note.NewVerifier(s.Key)
		if err != nil {
			return fmt.Errorf("signer %q: key %q: %v", s.Name, s.Key, err)
		}
		vs = append(vs, v)
	}
	n, err := note.Open([]byte(body.Note), note.VerifierList(vs...))
	if err != nil {
		return fmt.Errorf("signed statement: %v", err)
	}
	if n.Text != text {
		return errors.New("the signed statement is not the statement of this entry's fields")
	}
	signed := map[string]bool{}
	for _, s := range n.Sigs {
		signed[fmt.Sprintf("%s+%08x", s.Name, s.Hash)] = true
	}
	for i, s := range body.Signers {
		if !signed[fmt.Sprintf("%s+%08x", vs[i].Name(), vs[i].KeyHash())] {
			return fmt.Errorf("no valid signature by %s", s.Name)
		}
	}
	return nil
}

func certificationsTx(tx store.Tx) ([]Certification, error) {
	var out []Certification
	idx := map[uint64]int{}
	for _, typ := range []string{ledger.TypeCertification, ledger.TypeAmendment} {
		err := entriesOf(tx, typ, func(e *ledger.Entry, _ []byte) error {
			var b ledger.CertificationBody
			if err := e.DecodeBody(&b); err != nil {
				return err
			}
			out = append(out, Certification{Seq: e.Seq, Type: e.Type, Body: b})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	for i := range out {
		idx[out[i].Seq] = i
	}
	for _, c := range out {
		if c.Body.Amends != nil {
			if i, ok := idx[*c.Body.Amends]; ok {
				out[i].AmendedBy = c.Seq
			}
		}
	}
	return out, nil
}

// Certifications lists the recorded certifications and amendments.
func (w *Workspace) Certifications(ctx context.Context) ([]Certification, error) {
	var out []Certification
	err := w.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = certificationsTx(tx)
		return err
	})
	return out, err
}
