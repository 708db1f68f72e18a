package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	canvass "github.com/canvass-vote/canvass"
	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/sampler"
	"github.com/canvass-vote/canvass/cvr"
	"github.com/canvass-vote/canvass/ledger"
	"github.com/canvass-vote/canvass/results"
	"github.com/canvass-vote/canvass/store"
	"github.com/canvass-vote/canvass/tabulate"
)

// Ledger entry types of audits.
const (
	TypeAuditStart    = "audit.start"
	TypeAuditRound    = "audit.round"
	TypeAuditRecord   = "audit.record"
	TypeAuditRisk     = "audit.risk"
	TypeAuditEscalate = "audit.escalate"
)

// AuditOptions start an audit.
type AuditOptions struct {
	Contests []string
	audit.Config
	// Manifest is a ballot manifest CSV; without it the population is the workspace's CVRs.
	Manifest string
	// Source of the reported outcome ("cvr" or "results") when a contest has both.
	Source string
	// CardStyle samples only the CVR cards that contain one of the audited contests
	// (card-style data): fewer cards, larger diluted margins.
	CardStyle bool
	// IRVWorkLimit bounds the work of generating an instant-runoff contest's assertions (see
	// raire.Options.WorkLimit; 0: DefaultIRVWorkLimit). A work limit, unlike a time limit,
	// ends the search at the same place on every machine, so a replay finds the assertions
	// the audit started with.
	IRVWorkLimit int64
}

// DefaultIRVWorkLimit is the work limit of RAIRE's search when an audit starts: a few seconds
// of work; every IRV case of RCTab's suite needs far less.
const DefaultIRVWorkLimit = 100_000_000

// auditStartBody is the body of an audit.start entry.
type auditStartBody struct {
	Kind            string          `json:"kind"`
	Method          string          `json:"method"`
	RiskLimit       string          `json:"risk_limit"`
	Seed            string          `json:"seed"`
	RoundSize       int64           `json:"round_size,omitempty"`
	Quantile        string          `json:"quantile"`
	WithReplacement bool            `json:"with_replacement,omitempty"`
	Contests        []auditContest  `json:"contests"`
	Population      auditPopulation `json:"population"`
	Source          string          `json:"source,omitempty"`
	CardStyle       bool            `json:"card_style,omitempty"`
	Manifest        *ledger.FileRef `json:"manifest,omitempty"`
}

type auditContest struct {
	Name         string        `json:"name"`
	Ballots      int64         `json:"ballots"`
	Winners      int           `json:"winners"`
	ThresholdNum int64         `json:"threshold_num,omitempty"`
	ThresholdDen int64         `json:"threshold_den,omitempty"`
	Choices      []auditChoice `json:"choices"`
	// IRV is set for an instant-runoff contest, audited by its RAIRE assertions (choices are
	// then its ranked count's last round).
	IRV *auditIRV `json:"irv,omitempty"`
}

type auditChoice struct {
	Name  string `json:"name"`
	Votes int64  `json:"votes"`
}

// auditPopulation identifies the cards sampled: their number, batches, and the SHA-256 of the
// manifest's canonical text (one line "jurisdiction TAB tabulator TAB batch TAB ballots").
type auditPopulation struct {
	Ballots int64  `json:"ballots"`
	Batches int    `json:"batches"`
	SHA256  string `json:"sha256"`
	Source  string `json:"source"` // "cvr" or "manifest"
}

type auditRoundBody struct {
	Audit        uint64 `json:"audit"`
	Round        int    `json:"round"`
	Size         int64  `json:"size"`
	SampleSHA256 string `json:"sample_sha256"`
}

type auditCard struct {
	Jurisdiction string `json:"jurisdiction,omitempty"`
	Batch        string `json:"batch"`
	Position     int64  `json:"position,omitempty"`
}

type auditRecordBody struct {
	Audit uint64                      `json:"audit"`
	Card  auditCard                   `json:"card"`
	Found bool                        `json:"found"`
	Votes map[string][]string         `json:"votes,omitempty"`
	Tally map[string]map[string]int64 `json:"tally,omitempty"`
	Board string                      `json:"board,omitempty"`
}

type auditRiskBody struct {
	Audit uint64            `json:"audit"`
	Round int               `json:"round"`
	Risk  map[string]string `json:"risk"`
	// Assertions are the risks of the assertions of the contests audited by assertions, by
	// contest and assertion label.
	Assertions map[string]map[string]string `json:"assertions,omitempty"`
	Status     string                       `json:"status"`
}

type auditEscalateBody struct {
	Audit  uint64 `json:"audit"`
	Reason string `json:"reason"`
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// population is what an audit samples from.
type population struct {
	manifest *sampler.Manifest
	source   string
	key      sampler.BatchKey
	// batches is the population of a batch audit (reporting units with reported votes).
	batches []audit.MacroBatch
	// cardStyle, when set, limits the CVR cards to those containing one of these contests.
	cardStyle []string
	// noCVR holds the reported votes of the batches without CVRs of a hybrid audit, by
	// (jurisdiction, batch label).
	noCVR map[[2]string]*audit.OneAuditBatchVotes
	// irv holds the assertions of the instant-runoff contests, by contest name.
	irv map[string]*auditIRV
	// cache is the workspace's cache of what is read from every CVR (nil: none).
	cache *cvrCache
}

// canonicalManifest is the text hashed into the start entry.
func canonicalManifest(m *sampler.Manifest) string {
	var b strings.Builder
	for _, bt := range m.Batches {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%d\n", bt.Jurisdiction, bt.Tabulator, bt.Name, bt.Ballots)
	}
	return b.String()
}

// cards calls fn with each CVR card of the population and its place (its batch, and its
// position in the batch: the order of import): every card, or with card-style data (contests
// not empty) only the cards that contain one of the contests.
func cards(tx store.Tx, contests []string, fn func(jur string, card audit.Card, b *canvass.Ballot) error) error {
	type key struct{ j, t, b string }
	pos := map[key]int64{}
	place := func(jur string, b *canvass.Ballot) error {
		tab, batch := cardBatch(b)
		k := key{jur, tab, batch}
		pos[k]++
		return fn(jur, audit.Card{Jurisdiction: jur, Batch: batchLabel(tab, batch), Position: pos[k]}, b)
	}
	if len(contests) == 0 {
		return tx.Ballots(place)
	}
	el, err := tx.Election()
	if err != nil {
		return err
	}
	want := make([]bool, len(el.Contests))
	for i, c := range el.Contests {
		for _, n := range contests {
			want[i] = want[i] || canvass.NameKey(n) == canvass.NameKey(c.Name)
		}
	}
	return tx.Ballots(func(jur string, b *canvass.Ballot) error {
		for _, cm := range b.Contests {
			if int(cm.Contest) < len(want) && want[cm.Contest] {
				return place(jur, b)
			}
		}
		return nil
	})
}

// cardBatch is the tabulator and batch a CVR card is sampled in: its own, or for a card with
// neither (an export that gives only precincts, as ES&S's ranked-choice exports do) its
// precinct as the batch, where its paper is kept.
func cardBatch(b *canvass.Ballot) (tabulator, batch string) {
	if b.Tabulator == "" && b.Batch == "" {
		return "", b.Precinct
	}
	return b.Tabulator, b.Batch
}

// cvrManifest derives the ballot manifest from the workspace's CVRs: one batch per
// (jurisdiction, tabulator, batch), the cards in import order (with card-style data, only the
// cards that contain one of the contests).
func cvrManifest(tx store.Tx, cardStyle []string) (*sampler.Manifest, error) {
	type key struct{ j, t, b string }
	counts := map[key]int64{}
	err := cards(tx, cardStyle, func(jur string, _ audit.Card, b *canvass.Ballot) error {
		tab, batch := cardBatch(b)
		counts[key{jur, tab, batch}]++
		return nil
	})
	if err != nil {
		return nil, err
	}
	batches := make([]sampler.Batch, 0, len(counts))
	for k, n := range counts {
		batches = append(batches, sampler.Batch{Jurisdiction: k.j, Tabulator: k.t, Name: k.b, Ballots: n})
	}
	sortBatches(batches)
	return sampler.ManifestFromCounts(batches)
}

// sortBatches orders a population's batches by jurisdiction, tabulator and name: the order
// of the manifests canvass derives, on which the sample depends.
func sortBatches(bs []sampler.Batch) {
	sort.SliceStable(bs, func(i, j int) bool {
		a, b := bs[i], bs[j]
		if a.Jurisdiction != b.Jurisdiction {
			return a.Jurisdiction < b.Jurisdiction
		}
		if a.Tabulator != b.Tabulator {
			return a.Tabulator < b.Tabulator
		}
		return a.Name < b.Name
	})
}

// loadCVRs reads the CVRs of the given cards (position = order of import within the batch):
// the choices marked in each contest, in mark order, but for the contests named in ranked
// (instant-runoff contests audited by assertions), whose CVR is the card's ranking as the
// count reads it (IRVCardRanking).
func loadCVRs(tx store.Tx, cardStyle []string, drawn map[audit.Card]bool, ranked []string) (map[audit.Card]map[string][]string, error) {
	el, err := tx.Election()
	if err != nil {
		return nil, err
	}
	readers := map[int]*irvReader{}
	for _, name := range ranked {
		rd, err := newIRVReader(el, name)
		if err != nil {
			return nil, err
		}
		readers[rd.ci] = rd
	}
	out := map[audit.Card]map[string][]string{}
	err = cards(tx, cardStyle, func(_ string, card audit.Card, b *canvass.Ballot) error {
		if !drawn[card] {
			return nil
		}
		votes := map[string][]string{}
		for _, cm := range b.Contests {
			c := el.Contests[cm.Contest]
			if rd := readers[int(cm.Contest)]; rd != nil {
				rk, _, err := rd.ranking(b)
				if err != nil {
					return fmt.Errorf("card %s: %w", card, err)
				}
				votes[c.Name] = rk
				continue
			}
			var vs []string
			if !cm.Overvoted {
				for _, m := range cm.Marks {
					if m.Flags&canvass.NotCounted == 0 && int(m.Choice) < len(c.Choices) {
						vs = append(vs, c.Choices[m.Choice].Name)
					}
				}
			}
			votes[c.Name] = vs
		}
		out[card] = votes
		return nil
	})
	return out, err
}

// batchLabel names a batch for people and records: "tabulator / batch", or the batch alone.
func batchLabel(tabulator, batch string) string {
	if tabulator == "" {
		return batch
	}
	return tabulator + " / " + batch
}

func cardOf(m *sampler.Manifest, d sampler.BallotDraw) audit.Card {
	b := m.Batches[d.Batch]
	return audit.Card{Jurisdiction: b.Jurisdiction, Batch: batchLabel(b.Tabulator, b.Name), Position: d.Position}
}

// sampleDigest is the SHA-256 of the draws' canonical text ("ticket TAB card LF" each).
func sampleDigest(draws []audit.Draw) string {
	h := sha256.New()
	for _, d := range draws {
		fmt.Fprintf(h, "%s\t%s\n", d.Ticket, d.Card)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// auditContests builds the reported outcomes of the contests from a tabulation; an
// instant-runoff contest gets its RAIRE assertions (irvAssertions) for the audit's kind and
// risk limit, over ballots cards.
func auditContests(tx store.Tx, names []string, source string, ballots int64, cfg audit.Config, workLimit int64) ([]audit.Contest, []auditContest, error) {
	var out []audit.Contest
	var body []auditContest
	el, err := tx.Election()
	if err != nil {
		return nil, nil, err
	}
	for _, name := range names {
		irv := false
		if ci, err := findContest(el, name); err == nil {
			c := el.Contests[ci]
			irv = c.Type == canvass.IRV && c.Seats <= 1
		}
		src := source
		if irv {
			if cfg.Kind != audit.Comparison && cfg.Kind != audit.Polling {
				return nil, nil, fmt.Errorf("audit: contest %q is instant runoff, audited by its RAIRE assertions in a comparison audit (kaplan-markov or alpha-comparison) or a polling audit (alpha), not a %s audit", name, cfg.Kind)
			}
			if source == "results" {
				return nil, nil, fmt.Errorf("audit: contest %q is instant runoff: its reported outcome is the ranked count of its CVRs, not a results file", name)
			}
			src = "cvr"
		}
		c, err := pickContest(tx, name, src, canvass.LevelState)
		if err != nil {
			return nil, nil, err
		}
		ac := auditContest{Name: c.Name, Ballots: ballots, Winners: c.Seats, Choices: []auditChoice{}}
		if c.Threshold != nil {
			ac.ThresholdNum, ac.ThresholdDen = c.Threshold.Num, c.Threshold.Den
		}
		con := audit.Contest{Name: c.Name, Ballots: ballots, Winners: c.Seats, ThresholdNum: ac.ThresholdNum, ThresholdDen: ac.ThresholdDen}
		for _, ch := range c.Choices {
			if ch.WriteIn {
				continue
			}
			ac.Choices = append(ac.Choices, auditChoice{ch.Name, ch.Votes})
			con.Choices = append(con.Choices, audit.Choice{Name: ch.Name, Votes: ch.Votes})
		}
		if irv {
			if ac.IRV, err = irvAssertions(tx, c, cfg, ballots, workLimit); err != nil {
				return nil, nil, err
			}
			if con.Assertions, err = ac.IRV.assertions(ballots); err != nil {
				return nil, nil, err
			}
		}
		out = append(out, con)
		body = append(body, ac)
	}
	return out, body, nil
}

// AuditStart starts an audit: it fixes the reported outcomes and the population, and draws
// the first round. The audit's id is the ledger entry of its start.
func (w *Workspace) AuditStart(ctx context.Context, opts AuditOptions) (*AuditView, error) {
	if err := sampler.CheckSeed(opts.Seed); err != nil {
		return nil, err
	}
	opts.Seed = sampler.NormalizeSeed(opts.Seed)
	at := w.now()
	var keep *keeper
	var mref *ledger.FileRef
	var fileManifest *sampler.Manifest
	if opts.Manifest != "" {
		keep = &keeper{dir: filepath.Join(w.Dir, FilesDir)}
		sum, size, err := hashPath(opts.Manifest, keep)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(opts.Manifest)
		if err != nil {
			keep.undo()
			return nil, err
		}
		fileManifest, err = sampler.ReadManifest(f, opts.Manifest)
		f.Close()
		if err != nil {
			keep.undo()
			return nil, err
		}
		mref = &ledger.FileRef{Name: filepath.Base(opts.Manifest), SHA256: sum, Size: size}
	}
	var id uint64
	if opts.Kind == audit.BatchKind {
		return w.auditStartBatch(ctx, at, opts)
	}
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		pop := &population{manifest: fileManifest, source: "manifest", cache: w.cvrs}
		if opts.CardStyle {
			if fileManifest != nil {
				return errors.New("audit: card-style sampling uses the CVRs, not a ballot manifest")
			}
			pop.cardStyle = opts.Contests
		}
		cvrM, err := cvrManifest(tx, pop.cardStyle)
		if err != nil {
			return err
		}
		if opts.Kind == audit.Hybrid {
			if fileManifest == nil || len(cvrM.Batches) == 0 {
				return errors.New("audit: a hybrid audit samples the imported CVRs together with the batches without CVRs that --manifest lists")
			}
			if pop.manifest, pop.noCVR, err = hybridPopulation(tx, cvrM, fileManifest, opts.Manifest); err != nil {
				return err
			}
			pop.source = "hybrid"
			if opts.Source == "" {
				opts.Source = "cvr"
			}
		} else if pop.manifest == nil {
			if len(cvrM.Batches) == 0 {
				return errors.New("audit: no population to sample: import CVRs or give --manifest")
			}
			pop.manifest, pop.source = cvrM, "cvr"
		} else if len(cvrM.Batches) > 0 {
			if err := compareManifests(pop.manifest, cvrM, opts.Manifest); err != nil {
				return err
			}
		}
		pop.key = batchKey(pop.manifest)
		if opts.Kind == audit.Comparison && pop.source != "cvr" {
			return errors.New("audit: a comparison audit samples the CVRs; import them (a manifest alone is for ballot polling)")
		}
		contests, cbody, err := auditContests(tx, opts.Contests, opts.Source, pop.manifest.Total, opts.Config, opts.IRVWorkLimit)
		if err != nil {
			return err
		}
		pop.irv = irvOf(cbody)
		if pop.noCVR != nil {
			addBatchVotes(contests, cbody, pop.noCVR)
		}
		a, err := audit.New(opts.Config, contests)
		if err != nil {
			return err
		}
		body := auditStartBody{Kind: string(opts.Kind), Method: opts.Method, RiskLimit: formatFloat(opts.RiskLimit), Seed: opts.Seed,
			RoundSize: opts.RoundSize, Quantile: formatFloat(a.Config.Quantile), WithReplacement: opts.WithReplacement, Contests: cbody, Source: opts.Source,
			CardStyle:  opts.CardStyle,
			Population: auditPopulation{Ballots: pop.manifest.Total, Batches: len(pop.manifest.Batches), SHA256: digest(canonicalManifest(pop.manifest)), Source: pop.source},
			Manifest:   mref}
		if id, _, err = w.append(tx, at, TypeAuditStart, body); err != nil {
			return err
		}
		return w.nextRound(tx, at, id, a, pop)
	})
	if err != nil {
		if keep != nil {
			keep.undo()
		}
		return nil, err
	}
	return w.AuditStatus(ctx, id)
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// compareManifests refuses a ballot manifest whose counts differ from the imported CVRs'.
func compareManifests(m, cvr *sampler.Manifest, name string) error {
	type key struct{ j, b string }
	have := map[key]int64{}
	for _, b := range cvr.Batches {
		have[key{b.Jurisdiction, batchLabel(b.Tabulator, b.Name)}] += b.Ballots
	}
	for _, b := range m.Batches {
		k := key{b.Jurisdiction, batchLabel(b.Tabulator, b.Name)}
		if n, ok := have[k]; ok && n != b.Ballots {
			return fmt.Errorf("%s: batch %s: the manifest says %d ballots, the imported CVRs have %d; nothing changed", name, batchLabel(b.Tabulator, b.Name), b.Ballots, n)
		}
	}
	if m.Total != cvr.Total {
		return fmt.Errorf("%s: the manifest counts %d ballots, the imported CVRs %d; nothing changed", name, m.Total, cvr.Total)
	}
	return nil
}

// nextRound sizes and draws the next round and records it.
func (w *Workspace) nextRound(tx store.Tx, at time.Time, id uint64, a *audit.Audit, pop *population) error {
	size, err := a.NextRoundSize(pop.size())
	if err != nil {
		return err
	}
	draws, err := drawRound(tx, a, pop, size)
	if err != nil {
		return err
	}
	if err := a.StartRound(size, draws); err != nil {
		return err
	}
	_, _, err = w.append(tx, at, TypeAuditRound, auditRoundBody{Audit: id, Round: len(a.Rounds), Size: size, SampleSHA256: sampleDigest(a.Draws)})
	return err
}

// drawRound draws the sample up to size and returns the draws after those already drawn.
func drawRound(tx store.Tx, a *audit.Audit, pop *population, size int64) ([]audit.Draw, error) {
	if a.Config.Kind == audit.BatchKind {
		cs := make([]*audit.Contest, len(a.Contests))
		for i := range a.Contests {
			cs[i] = &a.Contests[i]
		}
		idx, err := sampler.Weighted(a.Config.Seed, audit.PPEBWeightsContests(cs, pop.batches), int(size))
		if err != nil {
			return nil, err
		}
		idx = idx[len(a.Draws):]
		draws := make([]audit.Draw, len(idx))
		for i, b := range idx {
			bt := pop.batches[b]
			rep := map[string]map[string]int64{}
			for c, x := range bt.Contests {
				rep[c] = x.Reported
			}
			draws[i] = audit.Draw{Card: audit.Card{Batch: bt.Name}, Ticket: strconv.Itoa(len(a.Draws) + i + 1), Reported: rep}
		}
		return draws, nil
	}
	bd, err := sampler.SampleManifest(a.Config.Seed, pop.manifest, int(size), a.Config.WithReplacement, pop.key)
	if err != nil {
		return nil, err
	}
	bd = bd[len(a.Draws):]
	draws := make([]audit.Draw, len(bd))
	cards := map[audit.Card]bool{}
	for i, d := range bd {
		draws[i] = audit.Draw{Card: cardOf(pop.manifest, d), Ticket: d.Ticket}
		cards[draws[i].Card] = true
	}
	if pop.noCVR != nil {
		for i := range draws {
			c := draws[i].Card
			if b := pop.noCVR[[2]string{c.Jurisdiction, c.Batch}]; b != nil {
				draws[i].Batch = b
				delete(cards, c)
			}
		}
	}
	if a.Config.Kind == audit.Comparison || a.Config.Kind == audit.Hybrid {
		cvrs, err := pop.cache.cvrsOf(tx, pop.cardStyle, cards, pop.irvNames())
		if err != nil {
			return nil, err
		}
		for i := range draws {
			if draws[i].Batch == nil {
				draws[i].CVR = cvrs[draws[i].Card]
			}
		}
	}
	return draws, nil
}

// ErrPopulationChanged is wrapped by the error for an audit whose population (the CVRs or
// the manifest it samples) is no longer the one it started on.
var ErrPopulationChanged = errors.New("the population changed")

// auditStart reads the start entry of an audit.
func auditStart(tx store.Tx, id uint64) (*auditStartBody, error) {
	var start *ledger.Entry
	if err := tx.Entries(id, id+1, func(_ uint64, data []byte) error {
		var err error
		start, err = ledger.Decode(data)
		return err
	}); err != nil {
		return nil, err
	}
	if start == nil || start.Type != TypeAuditStart {
		return nil, fmt.Errorf("entry %d is not the start of an audit", id)
	}
	var sb auditStartBody
	if err := start.DecodeBody(&sb); err != nil {
		return nil, err
	}
	return &sb, nil
}

// loadAudit replays an audit's entries into the state machine.
func (w *Workspace) loadAudit(tx store.Tx, id uint64) (*audit.Audit, *population, error) {
	sb, err := auditStart(tx, id)
	if err != nil {
		return nil, nil, err
	}
	rl, _ := strconv.ParseFloat(sb.RiskLimit, 64)
	q, _ := strconv.ParseFloat(sb.Quantile, 64)
	cfg := audit.Config{Kind: audit.Kind(sb.Kind), Method: sb.Method, RiskLimit: rl, Seed: sb.Seed, RoundSize: sb.RoundSize, Quantile: q, WithReplacement: sb.WithReplacement}
	var contests []audit.Contest
	for _, c := range sb.Contests {
		con := audit.Contest{Name: c.Name, Ballots: c.Ballots, Winners: c.Winners, ThresholdNum: c.ThresholdNum, ThresholdDen: c.ThresholdDen}
		for _, ch := range c.Choices {
			con.Choices = append(con.Choices, audit.Choice{Name: ch.Name, Votes: ch.Votes})
		}
		if c.IRV != nil {
			var err error
			if con.Assertions, err = c.IRV.assertions(c.Ballots); err != nil {
				return nil, nil, fmt.Errorf("audit %d: contest %q: %w", id, c.Name, err)
			}
		}
		contests = append(contests, con)
	}
	a, err := audit.New(cfg, contests)
	if err != nil {
		return nil, nil, err
	}
	pop := &population{source: sb.Population.Source, irv: irvOf(sb.Contests), cache: w.cvrs}
	if cfg.Kind == audit.BatchKind {
		bs, err := resultBatches(tx, contests, sb.Source)
		if err != nil {
			return nil, nil, err
		}
		if got := digest(canonicalBatches(bs)); got != sb.Population.SHA256 {
			return nil, nil, fmt.Errorf("audit %d: the reported results changed since the audit started (batches sha256 %s, the audit started on %s)", id, got, sb.Population.SHA256)
		}
		if a, err = audit.NewBatch(cfg, contests, bs); err != nil {
			return nil, nil, err
		}
		pop.batches = bs
		return w.replayAuditEvents(tx, id, a, pop)
	}
	if sb.Manifest != nil {
		f, err := w.openKept(sb.Manifest.SHA256)
		if err != nil {
			return nil, nil, err
		}
		pop.manifest, err = sampler.ReadManifest(f, sb.Manifest.Name)
		f.Close()
		if err != nil {
			return nil, nil, err
		}
		if cfg.Kind == audit.Hybrid {
			cvrM, err := w.cvrs.manifest(tx, nil)
			if err != nil {
				return nil, nil, err
			}
			if pop.manifest, pop.noCVR, err = hybridPopulation(tx, cvrM, pop.manifest, sb.Manifest.Name); err != nil {
				return nil, nil, err
			}
		}
	} else {
		if sb.CardStyle {
			for _, c := range sb.Contests {
				pop.cardStyle = append(pop.cardStyle, c.Name)
			}
		}
		if pop.manifest, err = w.cvrs.manifest(tx, pop.cardStyle); err != nil {
			return nil, nil, err
		}
	}
	pop.key = batchKey(pop.manifest)
	if got := digest(canonicalManifest(pop.manifest)); got != sb.Population.SHA256 {
		return nil, nil, fmt.Errorf("audit %d: %w since the audit started (manifest sha256 %s, the audit started on %s); an import after the start must be undone, or a new audit started", id, ErrPopulationChanged, got, sb.Population.SHA256)
	}
	return w.replayAuditEvents(tx, id, a, pop)
}

// replayAuditEvents applies an audit's entries after its start.
func (w *Workspace) replayAuditEvents(tx store.Tx, id uint64, a *audit.Audit, pop *population) (*audit.Audit, *population, error) {
	var events []*ledger.Entry
	for _, typ := range []string{TypeAuditRound, TypeAuditRecord, TypeAuditRisk, TypeAuditEscalate, TypeAuditHandCount} {
		err := entriesOf(tx, typ, func(e *ledger.Entry, _ []byte) error {
			var ref struct {
				Audit uint64 `json:"audit"`
			}
			if err := json.Unmarshal(e.Body, &ref); err != nil {
				return err
			}
			if ref.Audit == id {
				events = append(events, e)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	sort.Slice(events, func(i, j int) bool { return events[i].Seq < events[j].Seq })
	for _, e := range events {
		if err := applyAuditEvent(tx, a, pop, e); err != nil {
			return nil, nil, fmt.Errorf("audit %d, entry %d: %w", id, e.Seq, err)
		}
	}
	return a, pop, nil
}

func applyAuditEvent(tx store.Tx, a *audit.Audit, pop *population, e *ledger.Entry) error {
	switch e.Type {
	case TypeAuditRound:
		var b auditRoundBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		draws, err := drawRound(tx, a, pop, b.Size)
		if err != nil {
			return err
		}
		if err := a.StartRound(b.Size, draws); err != nil {
			return err
		}
		if got := sampleDigest(a.Draws); got != b.SampleSHA256 {
			return fmt.Errorf("the sample drawn again has sha256 %s, the round recorded %s", got, b.SampleSHA256)
		}
	case TypeAuditRecord:
		var b auditRecordBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		_, err := a.Record(audit.Record{Card: audit.Card{Jurisdiction: b.Card.Jurisdiction, Batch: b.Card.Batch, Position: b.Card.Position}, Found: b.Found, Votes: b.Votes, Tally: b.Tally, Board: b.Board})
		return err
	case TypeAuditRisk:
		var b auditRiskBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		r, err := a.EndRound(pop.size())
		if err != nil {
			return err
		}
		for c, p := range r.Risk {
			if formatFloat(p) != b.Risk[c] {
				return fmt.Errorf("contest %q: risk measured again is %s, the round recorded %s", c, formatFloat(p), b.Risk[c])
			}
		}
		for c, each := range r.AssertionRisk {
			for l, p := range each {
				if got := b.Assertions[c][l]; formatFloat(p) != got {
					return fmt.Errorf("contest %q, assertion %s: risk measured again is %s, the round recorded %q", c, l, formatFloat(p), got)
				}
			}
		}
	case TypeAuditEscalate:
		return a.Escalate()
	case TypeAuditHandCount:
		var b auditHandCountBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		hc := map[string][]audit.Choice{}
		for _, c := range b.Contests {
			for _, ch := range c.Choices {
				hc[c.Name] = append(hc[c.Name], audit.Choice{Name: ch.Name, Votes: ch.Votes})
			}
		}
		return a.EnterHandCount(hc)
	}
	return nil
}

// AuditRecord enters audit-board records in one transaction: all or nothing.
func (w *Workspace) AuditRecord(ctx context.Context, id uint64, recs []audit.Record) (int, error) {
	at := w.now()
	var n int
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		a, _, err := w.loadAudit(tx, id)
		if err != nil {
			return err
		}
		for i, r := range recs {
			added, err := a.Record(r)
			if err != nil {
				return fmt.Errorf("record %d: %w; nothing was recorded", i+1, err)
			}
			if !added {
				continue
			}
			b := auditRecordBody{Audit: id, Card: auditCard{Jurisdiction: r.Card.Jurisdiction, Batch: r.Card.Batch, Position: r.Card.Position}, Found: r.Found, Board: r.Board}
			if r.Found {
				b.Votes, b.Tally = r.Votes, r.Tally
			}
			if _, _, err := w.append(tx, at, TypeAuditRecord, b); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return errNothingNew
		}
		return nil
	})
	if errors.Is(err, errNothingNew) {
		return 0, nil
	}
	return n, err
}

var errNothingNew = errors.New("nothing new")

// AuditEndRound ends the open round: it measures the risk, and unless the audit is confirmed
// or must go to a full hand count, sizes and draws the next round.
func (w *Workspace) AuditEndRound(ctx context.Context, id uint64) (*AuditView, error) {
	at := w.now()
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		a, pop, err := w.loadAudit(tx, id)
		if err != nil {
			return err
		}
		r, err := a.EndRound(pop.size())
		if err != nil {
			return err
		}
		body := auditRiskBody{Audit: id, Round: r.Number, Risk: map[string]string{}, Status: string(a.Status)}
		for c, p := range r.Risk {
			body.Risk[c] = formatFloat(p)
		}
		for c, each := range r.AssertionRisk {
			if body.Assertions == nil {
				body.Assertions = map[string]map[string]string{}
			}
			body.Assertions[c] = map[string]string{}
			for l, p := range each {
				body.Assertions[c][l] = formatFloat(p)
			}
		}
		if _, _, err := w.append(tx, at, TypeAuditRisk, body); err != nil {
			return err
		}
		if a.Status == audit.InProgress {
			return w.nextRound(tx, at, id, a, pop)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return w.AuditStatus(ctx, id)
}

// AuditEscalate sends the audit to a full hand count.
func (w *Workspace) AuditEscalate(ctx context.Context, id uint64, reason string) error {
	at := w.now()
	return w.Store.Update(ctx, func(tx store.Tx) error {
		a, _, err := w.loadAudit(tx, id)
		if err != nil {
			return err
		}
		if err := a.Escalate(); err != nil {
			return err
		}
		_, _, err = w.append(tx, at, TypeAuditEscalate, auditEscalateBody{Audit: id, Reason: reason})
		return err
	})
}

// AuditView is an audit's state for people.
type AuditView struct {
	ID       uint64         `json:"id"`
	Kind     string         `json:"kind"`
	Method   string         `json:"method"`
	Risk     string         `json:"risk_limit"`
	Seed     string         `json:"seed"`
	Status   string         `json:"status"`
	Ballots  int64          `json:"population"`
	Contests []ContestAudit `json:"contests"`
	Rounds   []RoundView    `json:"rounds"`
	// Missing are the cards of the open round not yet recorded.
	Missing int `json:"missing"`
	audit   *audit.Audit
	pop     *population
}

// ContestAudit is one contest's audit state.
type ContestAudit struct {
	Name          string  `json:"name"`
	Risk          float64 `json:"risk"`
	Confirmed     bool    `json:"confirmed"`
	Discrepancies int     `json:"discrepancies"`
	// IRV is set for an instant-runoff contest, audited by its assertions.
	IRV *IRVAudit `json:"irv,omitempty"`
}

// IRVAudit is how an instant-runoff contest is audited: RAIRE's assertions, generated when the
// audit started, each with its measured risk (the contest's risk is the largest).
type IRVAudit struct {
	Winner string `json:"winner"`
	// Model is RAIRE's difficulty model the assertions were chosen with (MACRO for a
	// comparison audit, BRAVO for polling), Gamma MACRO's error inflation factor.
	Model      string           `json:"model"`
	Gamma      float64          `json:"gamma,omitempty"`
	Difficulty float64          `json:"difficulty"`
	Assertions []AssertionAudit `json:"assertions"`
}

// AssertionAudit is one assertion of an instant-runoff contest and where its audit stands.
type AssertionAudit struct {
	// Label names the assertion in the audit's risk entries and reports.
	Label string `json:"label"`
	// Type is NEB (Winner is not eliminated before Loser) or NEN (when only Continuing remain,
	// Winner has more votes than Loser).
	Type       string   `json:"type"`
	Winner     string   `json:"winner"`
	Loser      string   `json:"loser"`
	Continuing []string `json:"continuing,omitempty"`
	// Margin is the difference of the tallies compared, in ballots; DilutedMargin is Margin
	// over the cards of the population (the assorter margin).
	Margin        int64   `json:"margin"`
	DilutedMargin float64 `json:"diluted_margin"`
	// Difficulty is the model's estimate of the effort to audit it.
	Difficulty float64 `json:"difficulty"`
	// Risk is the risk measured at the end of the latest round that measured it (1 before).
	Risk      float64 `json:"risk"`
	Confirmed bool    `json:"confirmed"`
}

// RoundView is one round.
type RoundView struct {
	Number int                `json:"round"`
	Size   int64              `json:"size"`
	Ended  bool               `json:"ended"`
	Risk   map[string]float64 `json:"risk,omitempty"`
	// AssertionRisk is each assertion's risk, by contest and label, for the instant-runoff
	// contests.
	AssertionRisk map[string]map[string]float64 `json:"assertion_risk,omitempty"`
}

// AuditStatus reads an audit's state.
func (w *Workspace) AuditStatus(ctx context.Context, id uint64) (*AuditView, error) {
	var v *AuditView
	err := w.Store.View(ctx, func(tx store.Tx) error {
		a, pop, err := w.loadAudit(tx, id)
		if err != nil {
			return err
		}
		v = &AuditView{ID: id, Kind: string(a.Config.Kind), Method: a.Config.Method, Risk: formatFloat(a.Config.RiskLimit), Seed: a.Config.Seed,
			Status: string(a.Status), Ballots: pop.size(), Missing: len(a.Missing()), audit: a, pop: pop}
		for _, r := range a.Rounds {
			v.Rounds = append(v.Rounds, RoundView{Number: r.Number, Size: r.Size, Ended: r.Ended, Risk: r.Risk, AssertionRisk: r.AssertionRisk})
		}
		for _, c := range a.Contests {
			ca := ContestAudit{Name: c.Name, Risk: 1}
			for i := len(a.Rounds) - 1; i >= 0; i-- {
				if p, ok := a.Rounds[i].Risk[c.Name]; ok {
					ca.Risk = p
					break
				}
			}
			ca.Confirmed = ca.Risk <= a.Config.RiskLimit
			same := sameChoices
			if c.ByAssertions() {
				same = sameVotes // a ranking: the order matters
			}
			for _, d := range a.Draws {
				if r := a.Records[d.Card]; r != nil && (!r.Found || d.CVR != nil && !same(d.CVR[c.Name], r.Votes[c.Name])) {
					ca.Discrepancies++
				}
			}
			if x := pop.irv[c.Name]; x != nil {
				ca.IRV = x.view(a, c.Name, c.Ballots)
			}
			v.Contests = append(v.Contests, ca)
		}
		return nil
	})
	return v, err
}

// view is the contest's assertions with their risks as the audit's rounds measured them.
func (x *auditIRV) view(a *audit.Audit, contest string, ballots int64) *IRVAudit {
	out := &IRVAudit{Winner: x.Winner, Model: x.Model, Assertions: []AssertionAudit{}}
	out.Gamma, _ = strconv.ParseFloat(x.Gamma, 64)
	out.Difficulty, _ = strconv.ParseFloat(x.Difficulty, 64)
	for _, as := range x.Assertions {
		av := AssertionAudit{Label: as.label(), Type: as.Type, Winner: as.Winner, Loser: as.Loser, Continuing: as.Continuing,
			Margin: as.Margin, DilutedMargin: float64(as.Margin) / float64(ballots), Risk: 1}
		av.Difficulty, _ = strconv.ParseFloat(as.Difficulty, 64)
		for i := len(a.Rounds) - 1; i >= 0; i-- {
			if p, ok := a.Rounds[i].AssertionRisk[contest][av.Label]; ok {
				av.Risk = p
				break
			}
		}
		av.Confirmed = av.Risk <= a.Config.RiskLimit
		out.Assertions = append(out.Assertions, av)
	}
	return out
}

// sameVotes reports whether two readings of a contest list the same choices in the same
// order: for a ranking the order is the reading. (The board pages list a plurality reading
// in the contest's order, so two members' readings of the same marks agree.)
func sameVotes(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sameChoices reports whether two readings of a plurality contest mark the same choices, in
// any order.
func sameChoices(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	return sameVotes(x, y)
}

// Audits lists the audits (their ids).
func (w *Workspace) Audits(ctx context.Context) ([]uint64, error) {
	return w.entrySeqs(ctx, TypeAuditStart)
}

// replayAudit re-runs an audit entry during a rebuild (see Verify).
func (r *replayer) replayAudit(e *ledger.Entry) error {
	switch e.Type {
	case TypeAuditStart:
		var b auditStartBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		rl, err := strconv.ParseFloat(b.RiskLimit, 64)
		if err != nil {
			return fmt.Errorf("risk_limit %q", b.RiskLimit)
		}
		q, err := strconv.ParseFloat(b.Quantile, 64)
		if err != nil {
			return fmt.Errorf("quantile %q", b.Quantile)
		}
		opts := AuditOptions{Config: audit.Config{Kind: audit.Kind(b.Kind), Method: b.Method, RiskLimit: rl, Seed: b.Seed, RoundSize: b.RoundSize, Quantile: q, WithReplacement: b.WithReplacement}, Source: b.Source, CardStyle: b.CardStyle}
		for _, c := range b.Contests {
			opts.Contests = append(opts.Contests, c.Name)
			if c.IRV != nil {
				opts.IRVWorkLimit = c.IRV.WorkLimit
			}
		}
		if b.Manifest != nil {
			path, cleanup, err := r.fetch("manifest", *b.Manifest)
			if err != nil {
				return err
			}
			defer cleanup()
			opts.Manifest = path
		}
		_, err = r.w.AuditStart(r.ctx, opts)
		return err
	case TypeAuditRecord:
		var b auditRecordBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		_, err := r.w.AuditRecord(r.ctx, b.Audit, []audit.Record{{Card: audit.Card{Jurisdiction: b.Card.Jurisdiction, Batch: b.Card.Batch, Position: b.Card.Position}, Found: b.Found, Votes: b.Votes, Tally: b.Tally, Board: b.Board}})
		return err
	case TypeAuditRisk:
		var b auditRiskBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		_, err := r.w.AuditEndRound(r.ctx, b.Audit)
		return err
	case TypeAuditEscalate:
		var b auditEscalateBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		return r.w.AuditEscalate(r.ctx, b.Audit, b.Reason)
	case TypeAuditHandCount:
		var b auditHandCountBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		path, cleanup, err := r.fetch("hand count file", b.File)
		if err != nil {
			return err
		}
		defer cleanup()
		if b.CVR {
			_, err = r.w.AuditHandCountCVR(r.ctx, b.Audit, path, b.Format)
			return err
		}
		_, err = r.w.AuditHandCount(r.ctx, b.Audit, path, results.Options{Format: b.Format})
		return err
	case TypeAuditRound:
		return errors.New("an audit round entry must follow the start or the end of the round before it")
	}
	return fmt.Errorf("unknown entry type %q", e.Type)
}

// batchKey chooses the ballot-id form of the population (see sampler.BatchKey).
func batchKey(m *sampler.Manifest) sampler.BatchKey {
	for _, b := range m.Batches {
		if b.Jurisdiction != "" || b.Tabulator != "" {
			return sampler.JurisdictionTabulatorBatch
		}
	}
	return sampler.BatchName
}

// AuditSample returns the draws of the audit so far, in draw order (with the CVRs of a
// comparison audit), and the size of the rounds ended before the open one.
func (w *Workspace) AuditSample(ctx context.Context, id uint64) ([]audit.Draw, int64, error) {
	var draws []audit.Draw
	var before int64
	err := w.Store.View(ctx, func(tx store.Tx) error {
		a, _, err := w.loadAudit(tx, id)
		if err != nil {
			return err
		}
		draws = a.Draws
		for _, r := range a.Rounds {
			if r.Ended {
				before = r.Size
			}
		}
		return nil
	})
	return draws, before, err
}

// AuditRetrieval writes the open round's retrieval lists into dir, one CSV per jurisdiction
// (retrieval-round-N[-jurisdiction].csv), and returns their paths.
func (w *Workspace) AuditRetrieval(ctx context.Context, id uint64, dir string, boards int) ([]string, error) {
	rows, round, err := w.AuditRetrievalRows(ctx, id, boards)
	if err != nil {
		return nil, err
	}
	byJur := map[string][]sampler.RetrievalRow{}
	var jurs []string
	for _, r := range rows {
		if _, ok := byJur[r.Jurisdiction]; !ok {
			jurs = append(jurs, r.Jurisdiction)
		}
		byJur[r.Jurisdiction] = append(byJur[r.Jurisdiction], r)
	}
	sort.Strings(jurs)
	var paths []string
	for _, j := range jurs {
		name := fmt.Sprintf("retrieval-round-%d.csv", round)
		if j != "" {
			name = fmt.Sprintf("retrieval-round-%d-%s.csv", round, SafeFileName(j))
		}
		p := filepath.Join(dir, name)
		err := replaceFile(p, func(out io.Writer) error { return sampler.WriteRetrievalCSV(out, byJur[j]) })
		if err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// SafeFileName makes a name (a jurisdiction, a precinct) usable in a file name.
func SafeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 || r == ':' {
			return '_'
		}
		return r
	}, s)
}

// imprintedIDs finds the CVR ballot ids of the listed cards, by (batch index, position).
func imprintedIDs(tx store.Tx, cardStyle []string, m *sampler.Manifest, rows []sampler.RetrievalRow) (map[[2]int64]string, error) {
	want := map[audit.Card][2]int64{}
	for _, r := range rows {
		b := m.Batches[r.BatchIndex]
		want[audit.Card{Jurisdiction: b.Jurisdiction, Batch: batchLabel(b.Tabulator, b.Name), Position: r.Position}] = [2]int64{int64(r.BatchIndex), r.Position}
	}
	out := map[[2]int64]string{}
	err := cards(tx, cardStyle, func(_ string, card audit.Card, b *canvass.Ballot) error {
		if k, ok := want[card]; ok {
			out[k] = b.ID
		}
		return nil
	})
	return out, err
}

// TypeAuditHandCount records the result of the full hand count an audit escalated to.
const TypeAuditHandCount = "audit.handcount"

type auditHandCountBody struct {
	Audit  uint64         `json:"audit"`
	File   ledger.FileRef `json:"file"`
	Format string         `json:"format"`
	// CVR is true when the file holds the hand count as cast vote records (Format is then a
	// CVR format): each ballot's marks, which an instant-runoff contest's count needs.
	CVR      bool              `json:"cvr,omitempty"`
	Contests []HandCountResult `json:"contests"`
}

// HandCountResult is a contest's outcome in the full hand count of an audit.
type HandCountResult struct {
	Name    string        `json:"name"`
	Choices []auditChoice `json:"choices"`
	Winners []string      `json:"winners"`
	// Changed is true when the hand count's winners are not the reported ones.
	Changed bool `json:"changed"`
}

// AuditHandCount enters the full hand count of an audit that escalated: the hand-count results
// file (any results format) is kept, tabulated, and its outcome replaces the reported one. It
// says, per contest, whether the winners changed. A results file gives tallies, not the
// rankings an instant-runoff count needs: an audit of an instant-runoff contest takes its hand
// count as cast vote records (AuditHandCountCVR).
func (w *Workspace) AuditHandCount(ctx context.Context, id uint64, path string, ropts results.Options) ([]HandCountResult, error) {
	ropts, err := ropts.Resolve(path)
	if err != nil {
		return nil, err
	}
	return w.auditHandCount(ctx, id, path, ropts.Format, false, func() (*tabulate.Result, error) {
		return TabulateFiles(nil, []string{path}, TabulateOptions{Results: ropts})
	})
}

// AuditHandCountCVR enters the full hand count of an audit that escalated from a file of cast
// vote records (a CVR format canvass reads; "" sniffs it): one record per ballot, transcribed
// from the paper. Plurality contests are tallied as any CVRs are; an instant-runoff contest is
// counted by the workspace's ranked rules, and the winner of that count is the hand count's.
// Otherwise as AuditHandCount.
func (w *Workspace) AuditHandCountCVR(ctx context.Context, id uint64, path, format string) ([]HandCountResult, error) {
	format, err := cvr.Resolve(path, format)
	if err != nil {
		return nil, err
	}
	return w.auditHandCount(ctx, id, path, format, true, func() (*tabulate.Result, error) {
		res, err := TabulateFiles([]string{path}, nil, TabulateOptions{CVRFormat: format})
		if err != nil {
			return nil, err
		}
		r, err := cvr.Open(path, format, cvr.Options{})
		if err != nil {
			return nil, err
		}
		el := r.Election()
		r.Close()
		err = countRankedBallots(el, func(fn func(*canvass.Ballot) error) error {
			r, err := cvr.Open(path, format, cvr.Options{})
			if err != nil {
				return err
			}
			defer r.Close()
			for {
				b, err := r.Next()
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				if err := fn(b); err != nil {
					return err
				}
			}
		}, res)
		return res, err
	})
}

// auditHandCount keeps the hand-count file, tabulates it and records its outcome.
func (w *Workspace) auditHandCount(ctx context.Context, id uint64, path, format string, isCVR bool, count func() (*tabulate.Result, error)) ([]HandCountResult, error) {
	keep := &keeper{dir: filepath.Join(w.Dir, FilesDir)}
	sum, size, err := hashPath(path, keep)
	if err != nil {
		return nil, err
	}
	res, err := count()
	if err != nil {
		keep.undo()
		return nil, err
	}
	at := w.now()
	var out []HandCountResult
	err = w.Store.Update(ctx, func(tx store.Tx) error {
		a, pop, err := w.loadAudit(tx, id)
		if err != nil {
			return err
		}
		hc := map[string][]audit.Choice{}
		for _, c := range a.Contests {
			var found *tabulate.ContestResult
			for i := range res.Contests {
				if canvass.NameKey(res.Contests[i].Name) == canvass.NameKey(c.Name) {
					found = &res.Contests[i]
				}
			}
			if found == nil {
				return fmt.Errorf("%s: no contest %q in the hand count", path, c.Name)
			}
			if pop.irv[c.Name] != nil {
				switch {
				case !isCVR:
					return fmt.Errorf("%s: contest %q is instant runoff: a results file gives tallies, not the rankings its count needs; enter the hand count as cast vote records, one per ballot (canvass audit hand-count --cvr)", path, c.Name)
				case !strings.HasPrefix(found.Note, "ranked count (") || len(found.Winners) != 1:
					return fmt.Errorf("%s: contest %q: the hand count's ranked count has no single winner (%s); nothing recorded", path, c.Name, found.Note)
				}
			}
			r := HandCountResult{Name: c.Name, Choices: []auditChoice{}, Winners: found.Winners}
			for _, ch := range found.Choices {
				r.Choices = append(r.Choices, auditChoice{ch.Name, ch.Votes})
				hc[c.Name] = append(hc[c.Name], audit.Choice{Name: ch.Name, Votes: ch.Votes})
			}
			cs, nw := c.Ranked()
			reported := map[string]bool{}
			for _, x := range cs[:nw] {
				reported[canvass.NameKey(x.Name)] = true
			}
			if x := pop.irv[c.Name]; x != nil {
				reported = map[string]bool{canvass.NameKey(x.Winner): true}
			}
			for _, x := range found.Winners {
				r.Changed = r.Changed || !reported[canvass.NameKey(x)]
			}
			r.Changed = r.Changed || len(found.Winners) != nw
			out = append(out, r)
		}
		if err := a.EnterHandCount(hc); err != nil {
			return err
		}
		_, _, err = w.append(tx, at, TypeAuditHandCount, auditHandCountBody{Audit: id, File: ledger.FileRef{Name: filepath.Base(path), SHA256: sum, Size: size}, Format: format, CVR: isCVR, Contests: out})
		return err
	})
	if err != nil {
		keep.undo()
		return nil, err
	}
	return out, nil
}

// auditBlockers lists the audits that stand in the way of certifying a contest: one in
// progress, one escalated whose hand count is not entered, one whose hand count changed the
// winners (certify the hand count's result instead).
func (w *Workspace) auditBlockers(tx store.Tx, contest string, winners []string) ([]Blocker, error) {
	var ids []uint64
	if err := tx.EntriesOfType(TypeAuditStart, func(seq uint64, _ []byte) error {
		ids = append(ids, seq)
		return nil
	}); err != nil {
		return nil, err
	}
	var out []Blocker
	for _, id := range ids {
		a, _, err := w.loadAudit(tx, id)
		if err != nil {
			return nil, err
		}
		var audited bool
		for _, c := range a.Contests {
			audited = audited || canvass.NameKey(c.Name) == canvass.NameKey(contest)
		}
		if !audited {
			continue
		}
		switch a.Status {
		case audit.InProgress:
			out = append(out, Blocker{"audit", fmt.Sprintf("audit %d of this contest is in progress (round %d)", id, len(a.Rounds))})
		case audit.FullHandCount:
			out = append(out, Blocker{"audit", fmt.Sprintf("audit %d escalated to a full hand count; enter it with 'canvass audit hand-count'", id)})
		case audit.HandCounted:
			hc := a.HandCount[contestName(a, contest)]
			if !sameWinners(hc, winners) {
				out = append(out, Blocker{"hand-count", fmt.Sprintf("the full hand count of audit %d has other winners than this tabulation; import the hand count's results (replacing the machine count) and certify them", id)})
			}
		}
	}
	return out, nil
}

func contestName(a *audit.Audit, name string) string {
	for _, c := range a.Contests {
		if canvass.NameKey(c.Name) == canvass.NameKey(name) {
			return c.Name
		}
	}
	return name
}

// sameWinners reports whether the leading choices of a hand count are the given winners.
func sameWinners(hc []audit.Choice, winners []string) bool {
	c := audit.Contest{Choices: hc, Winners: len(winners)}
	cs, n := c.Ranked()
	if n > len(cs) {
		return false
	}
	want := map[string]bool{}
	for _, w := range winners {
		want[canvass.NameKey(w)] = true
	}
	for _, x := range cs[:n] {
		if !want[canvass.NameKey(x.Name)] {
			return false
		}
	}
	return true
}

// size is the number of cards (or, for a batch audit, batches) in the population.
func (p *population) size() int64 {
	if p.manifest == nil {
		return int64(len(p.batches))
	}
	return p.manifest.Total
}

// resultBatches builds the batches of a batch audit from the workspace's counts: one batch per
// precinct-level reporting unit, with its reported votes and ballots for each contest. A unit
// whose results give no ballot count uses the votes cast in it (the error bound is then as if
// every ballot had a vote).
func resultBatches(tx store.Tx, contests []audit.Contest, source string) ([]audit.MacroBatch, error) {
	byName := map[string]*audit.MacroBatch{}
	var order []string
	for _, c := range contests {
		cr, err := pickContest(tx, c.Name, source, canvass.LevelPrecinct)
		if err != nil {
			return nil, err
		}
		for _, u := range cr.Units {
			b := byName[u.Unit]
			if b == nil {
				b = &audit.MacroBatch{Name: u.Unit, Contests: map[string]audit.Batch{}}
				byName[u.Unit] = b
				order = append(order, u.Unit)
			}
			rep := map[string]int64{}
			var votes int64
			for _, ch := range u.Choices {
				if !ch.WriteIn {
					rep[ch.Name] = ch.Votes
				}
				votes += ch.Votes
			}
			ballots := u.Ballots
			if ballots < votes {
				ballots = votes
			}
			b.Contests[c.Name] = audit.Batch{Name: u.Unit, Reported: rep, Ballots: ballots}
		}
	}
	sort.Strings(order)
	out := make([]audit.MacroBatch, len(order))
	for i, n := range order {
		out[i] = *byName[n]
	}
	return out, nil
}

// canonicalBatches is the text hashed into a batch audit's start entry: one line per batch and
// contest, "batch TAB contest TAB ballots TAB choice=votes;…" with choices sorted.
func canonicalBatches(bs []audit.MacroBatch) string {
	var b strings.Builder
	for _, bt := range bs {
		cs := make([]string, 0, len(bt.Contests))
		for c := range bt.Contests {
			cs = append(cs, c)
		}
		sort.Strings(cs)
		for _, c := range cs {
			x := bt.Contests[c]
			ch := make([]string, 0, len(x.Reported))
			for n, v := range x.Reported {
				ch = append(ch, fmt.Sprintf("%s=%d", n, v))
			}
			sort.Strings(ch)
			fmt.Fprintf(&b, "%s\t%s\t%d\t%s\n", bt.Name, c, x.Ballots, strings.Join(ch, ";"))
		}
	}
	return b.String()
}

// auditStartBatch starts a batch-comparison audit over the workspace's reported results.
func (w *Workspace) auditStartBatch(ctx context.Context, at time.Time, opts AuditOptions) (*AuditView, error) {
	opts.WithReplacement = true // PPEB draws with replacement
	if opts.Source == "" {
		opts.Source = "results"
	}
	var id uint64
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		var total int64
		contests, cbody, err := auditContests(tx, opts.Contests, opts.Source, 0, opts.Config, opts.IRVWorkLimit)
		if err != nil {
			return err
		}
		bs, err := resultBatches(tx, contests, opts.Source)
		if err != nil {
			return err
		}
		for _, b := range bs {
			for _, x := range b.Contests {
				total += x.Ballots
			}
		}
		// Each contest's ballots are those of the batches that have it.
		for i := range contests {
			var n int64
			for _, b := range bs {
				n += b.Contests[contests[i].Name].Ballots
			}
			contests[i].Ballots, cbody[i].Ballots = n, n
		}
		a, err := audit.NewBatch(opts.Config, contests, bs)
		if err != nil {
			return err
		}
		pop := &population{batches: bs, source: opts.Source}
		body := auditStartBody{Kind: string(opts.Kind), Method: opts.Method, RiskLimit: formatFloat(opts.RiskLimit), Seed: opts.Seed,
			RoundSize: opts.RoundSize, Quantile: formatFloat(a.Config.Quantile), WithReplacement: true, Contests: cbody, Source: opts.Source,
			Population: auditPopulation{Ballots: total, Batches: len(bs), SHA256: digest(canonicalBatches(bs)), Source: opts.Source}}
		if id, _, err = w.append(tx, at, TypeAuditStart, body); err != nil {
			return err
		}
		return w.nextRound(tx, at, id, a, pop)
	})
	if err != nil {
		return nil, err
	}
	return w.AuditStatus(ctx, id)
}

// batchRetrieval lists the batches a batch audit's open round drew, with their draw numbers.
func batchRetrieval(a *audit.Audit, r *audit.Round) []sampler.RetrievalRow {
	var prev int64
	if len(a.Rounds) > 1 {
		prev = a.Rounds[len(a.Rounds)-2].Size
	}
	byBatch := map[string]*sampler.RetrievalRow{}
	var order []string
	for i := prev; i < r.Size; i++ {
		d := a.Draws[i]
		row := byBatch[d.Card.Batch]
		if row == nil {
			row = &sampler.RetrievalRow{Batch: d.Card.Batch, AuditBoard: 1}
			byBatch[d.Card.Batch] = row
			order = append(order, d.Card.Batch)
		}
		if row.TicketNumbers != "" {
			row.TicketNumbers += "; "
		}
		row.TicketNumbers += "draw " + d.Ticket
		row.Times++
	}
	sort.Strings(order)
	out := make([]sampler.RetrievalRow, len(order))
	for i, b := range order {
		out[i] = *byBatch[b]
	}
	return out
}

// replayRecords replays the run of audit.record entries that starts at pos and shares its
// audit, time and actor (one AuditRecord call made them, in one transaction) as one call, so
// that the audit is loaded once for the run rather than once per card.
func (r *replayer) replayRecords(pos uint64) error {
	first := r.decoded[pos]
	var recs []audit.Record
	var id uint64
	for i := pos; i < uint64(len(r.decoded)); i++ {
		e := r.decoded[i]
		if e == nil || e.Type != TypeAuditRecord || e.Time != first.Time || e.Actor != first.Actor {
			break
		}
		var b auditRecordBody
		if err := e.DecodeBody(&b); err != nil {
			return err
		}
		if i > pos && b.Audit != id {
			break
		}
		id = b.Audit
		recs = append(recs, audit.Record{Card: audit.Card{Jurisdiction: b.Card.Jurisdiction, Batch: b.Card.Batch, Position: b.Card.Position}, Found: b.Found, Votes: b.Votes, Tally: b.Tally, Board: b.Board})
	}
	_, err := r.w.AuditRecord(r.ctx, id, recs)
	return err
}

// hybridPopulation joins the CVR cards and the batches without CVRs of a hybrid audit into one
// manifest, and finds each batch's reported votes in the imported results: the rows (totals
// across vote modes) whose precinct is the batch's name and, when the manifest names one,
// whose county is the batch's jurisdiction.
func hybridPopulation(tx store.Tx, cvrM, noCVR *sampler.Manifest, name string) (*sampler.Manifest, map[[2]string]*audit.OneAuditBatchVotes, error) {
	votes := map[[2]string]*audit.OneAuditBatchVotes{}
	inCVR := map[[2]string]bool{}
	for _, b := range cvrM.Batches {
		inCVR[[2]string{b.Jurisdiction, batchLabel(b.Tabulator, b.Name)}] = true
	}
	type unit struct{ county, precinct string }
	want := map[unit][2]string{}
	for _, b := range noCVR.Batches {
		k := [2]string{b.Jurisdiction, batchLabel(b.Tabulator, b.Name)}
		if inCVR[k] {
			return nil, nil, fmt.Errorf("%s: batch %s has CVRs; list only the batches without", name, k[1])
		}
		votes[k] = &audit.OneAuditBatchVotes{Cards: b.Ballots, Votes: map[string]map[string]int64{}}
		want[unit{canvass.NameKey(b.Jurisdiction), canvass.NameKey(b.Name)}] = k
	}
	found := map[[2]string]bool{}
	err := tx.Results(func(r *canvass.ResultRow) error {
		if r.Mode != "" || r.Stat != "" {
			return nil
		}
		k, ok := want[unit{canvass.NameKey(r.Unit.County), canvass.NameKey(r.Unit.Precinct)}]
		if !ok {
			k, ok = want[unit{"", canvass.NameKey(r.Unit.Precinct)}]
		}
		if !ok {
			return nil
		}
		v := votes[k].Votes
		if v[r.Contest] == nil {
			v[r.Contest] = map[string]int64{}
		}
		v[r.Contest][r.Choice] += r.Votes
		found[k] = true
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for k := range votes {
		if !found[k] {
			return nil, nil, fmt.Errorf("%s: batch %s: no imported results give its votes (a results row whose precinct is the batch name)", name, k[1])
		}
	}
	all := append(append([]sampler.Batch(nil), cvrM.Batches...), noCVR.Batches...)
	sortBatches(all)
	m, err := sampler.ManifestFromCounts(all)
	return m, votes, err
}

// addBatchVotes adds the votes of the batches without CVRs to the reported outcomes.
func addBatchVotes(contests []audit.Contest, body []auditContest, noCVR map[[2]string]*audit.OneAuditBatchVotes) {
	for i := range contests {
		c := &contests[i]
		add := map[string]int64{}
		for _, b := range noCVR {
			for ch, v := range b.Votes[c.Name] {
				add[ch] += v
			}
		}
		for j := range c.Choices {
			c.Choices[j].Votes += add[c.Choices[j].Name]
			body[i].Choices[j].Votes = c.Choices[j].Votes
			delete(add, c.Choices[j].Name)
		}
		names := make([]string, 0, len(add))
		for n := range add {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			c.Choices = append(c.Choices, audit.Choice{Name: n, Votes: add[n]})
			body[i].Choices = append(body[i].Choices, auditChoice{n, add[n]})
		}
	}
}
