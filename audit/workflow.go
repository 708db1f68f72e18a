package audit

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// The audit workflow as a pure state machine, in the manner of etcd's raft package: the
// workspace feeds it events (start, a recorded ballot or batch, the end of a round, a full hand
// count) and stores what it decides; the machine does no I/O, so an audit can be replayed from
// its ledger entries and every step tested.

// Kind is the kind of audit.
type Kind string

// Audit kinds.
const (
	Polling    Kind = "polling"    // ballot-polling: sample cards, read the votes
	Comparison Kind = "comparison" // ballot-level comparison: sample cards, compare with their CVRs
	BatchKind  Kind = "batch"      // batch comparison: sample batches, hand-count them, compare
	Hybrid     Kind = "hybrid"     // cards with CVRs and batches without, sampled together (ONEAudit)
)

// Status of an audit.
type Status string

// Audit statuses.
const (
	InProgress    Status = "in progress"
	Confirmed     Status = "confirmed"
	FullHandCount Status = "full hand count"
	HandCounted   Status = "hand counted"
)

// Config is what an audit is started with.
type Config struct {
	Kind      Kind
	Method    string
	RiskLimit float64
	Seed      string
	// RoundSize, if set, is the size of the first round (draws); otherwise the method's.
	RoundSize int64
	// Quantile is the probability with which a round should finish the audit, for methods
	// that plan rounds that way (default 0.9).
	Quantile float64
	// WithReplacement draws cards with replacement (as the audit tools of several states do).
	WithReplacement bool
}

// Card is a sampled card (or batch, in a batch audit), identified by where it is.
type Card struct {
	Jurisdiction string
	Batch        string
	Position     int64 // 1-based in the batch; 0 for a batch audit
}

func (c Card) String() string {
	s := c.Batch
	if c.Jurisdiction != "" {
		s = c.Jurisdiction + " / " + s
	}
	if c.Position > 0 {
		s += fmt.Sprintf(" #%d", c.Position)
	}
	return s
}

// Draw is one draw of the sample, in draw order.
type Draw struct {
	Card   Card
	Ticket string
	// CVR is the card's cast vote record (comparison audits): the choices marked, by contest.
	CVR map[string][]string
	// Batch is the reported tally of the batch of a card without a CVR (hybrid audits), by
	// contest and choice, with the batch's number of cards.
	Batch *OneAuditBatchVotes
	// Reported is the batch's reported votes (batch audits), by contest and choice.
	Reported map[string]map[string]int64
}

// Record is what an audit board found for a card or batch.
type Record struct {
	Card  Card
	Found bool
	// Votes are the choices the board read, by contest (ballot audits).
	Votes map[string][]string
	// Tally is the hand tally of a batch, by contest and choice (batch audits).
	Tally map[string]map[string]int64
	Board string
}

// Round is one round of an audit.
type Round struct {
	Number int
	// Size is the cumulative number of draws at the end of this round.
	Size int64
	// Risk is the measured risk of each contest when the round ended.
	Risk map[string]float64
	// AssertionRisk is, for each contest audited by assertions, the measured risk of each
	// assertion by label (the contest's Risk is the largest).
	AssertionRisk map[string]map[string]float64
	Ended         bool
}

// Method measures a contest's risk from the draws and records so far, and sizes rounds.
type Method interface {
	Kind() Kind
	// Risk returns the risk (p-value) of the contest's reported outcome given the observations.
	Risk(c *Contest, obs []Observation, alpha float64) (float64, error)
	// NextSize returns the cumulative number of draws the next round should reach.
	NextSize(c *Contest, obs []Observation, alpha, quantile float64) (int64, error)
}

// Observation is one draw with what the audit board found, for one contest.
type Observation struct {
	Round int
	Draw  *Draw
	// Record is nil while the card is not yet recorded.
	Record *Record
}

// Votes returns the board's reading of the contest on the card; a card not found reads as
// nothing (methods treat it as the worst case where that matters).
func (o Observation) Votes(contest string) []string {
	if o.Record == nil || !o.Record.Found {
		return nil
	}
	return o.Record.Votes[contest]
}

// Audit is the state of one audit.
type Audit struct {
	Config   Config
	Contests []Contest
	Status   Status
	Rounds   []Round
	// Draws are all draws so far in draw order; Draws[:Rounds[i].Size] belong to rounds ≤ i.
	Draws   []Draw
	Records map[Card]*Record
	// HandCount is the outcome of the full hand count, once entered.
	HandCount map[string][]Choice
	// Batches are the population of a batch audit, with their reported votes per contest.
	Batches []MacroBatch
	method  Method
}

// NewBatch starts a batch-comparison audit of the contests over the batches.
func NewBatch(cfg Config, contests []Contest, batches []MacroBatch) (*Audit, error) {
	a, err := New(cfg, contests)
	if err != nil {
		return nil, err
	}
	if cfg.Kind != BatchKind {
		return nil, fmt.Errorf("audit: NewBatch for a %s audit", cfg.Kind)
	}
	a.Batches = batches
	a.method = macroMethod{batches: batches}
	return a, nil
}

// Errors of the workflow.
var (
	ErrNotInSample   = errors.New("audit: not in the sample")
	ErrConflict      = errors.New("audit: recorded twice with different votes")
	ErrRoundOpen     = errors.New("audit: the round is not finished")
	ErrAuditEnded    = errors.New("audit: the audit has ended")
	ErrUnknownMethod = errors.New("audit: unknown method")
)

// Methods maps method names to their implementations (methods.go).
var methods = map[string]Method{}

// MethodNames lists the methods of a kind.
func MethodNames(k Kind) []string {
	var out []string
	for name, m := range methods {
		if m.Kind() == k {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// New starts an audit of the contests: it checks the configuration and returns the audit,
// whose first round the caller sizes with FirstRoundSize and draws.
func New(cfg Config, contests []Contest) (*Audit, error) {
	if err := CheckRiskLimit(cfg.RiskLimit); err != nil {
		return nil, err
	}
	m, ok := methods[cfg.Method]
	if !ok || m.Kind() != cfg.Kind {
		return nil, fmt.Errorf("%w %q for a %s audit (use one of %s)", ErrUnknownMethod, cfg.Method, cfg.Kind, strings.Join(MethodNames(cfg.Kind), ", "))
	}
	if cfg.Quantile == 0 {
		cfg.Quantile = 0.9
	}
	if len(contests) == 0 {
		return nil, fmt.Errorf("%w: no contest to audit", ErrBadContest)
	}
	for i := range contests {
		if err := contests[i].Validate(); err != nil {
			return nil, err
		}
	}
	if err := checkAssertionMethod(cfg, contests); err != nil {
		return nil, err
	}
	return &Audit{Config: cfg, Contests: contests, Status: InProgress, Records: map[Card]*Record{}, method: m}, nil
}

// observations lists the draws (with their records) for a contest, up to the end of round r.
func (a *Audit) observations(upto int64) []Observation {
	obs := make([]Observation, 0, upto)
	round := 0
	for i := int64(0); i < upto && i < int64(len(a.Draws)); i++ {
		for round < len(a.Rounds) && i >= a.Rounds[round].Size {
			round++
		}
		d := &a.Draws[i]
		obs = append(obs, Observation{Round: round + 1, Draw: d, Record: a.Records[d.Card]})
	}
	return obs
}

// NextRoundSize is the cumulative size the next round should reach: the largest over the
// contests not yet confirmed of what the method asks (the first round may be set by the
// configuration).
func (a *Audit) NextRoundSize(population int64) (int64, error) {
	if a.Status != InProgress {
		return 0, ErrAuditEnded
	}
	if len(a.Rounds) == 0 && a.Config.RoundSize > 0 {
		return min(a.Config.RoundSize, a.maxDraws(population)), nil
	}
	var size int64
	done := a.doneDraws()
	obs := a.observations(done)
	for i := range a.Contests {
		c := &a.Contests[i]
		if a.confirmed(c.Name) {
			continue
		}
		n, err := a.contestNextSize(c, obs)
		if err != nil {
			return 0, fmt.Errorf("contest %q: %w", c.Name, err)
		}
		size = max(size, n)
	}
	size = max(size, done+1)
	return min(size, a.maxDraws(population)), nil
}

func (a *Audit) maxDraws(population int64) int64 {
	if a.Config.WithReplacement {
		return math.MaxInt64 / 2
	}
	return population
}

func (a *Audit) doneDraws() int64 {
	if len(a.Rounds) == 0 {
		return 0
	}
	return a.Rounds[len(a.Rounds)-1].Size
}

func (a *Audit) confirmed(contest string) bool {
	if len(a.Rounds) == 0 {
		return false
	}
	last := a.Rounds[len(a.Rounds)-1]
	r, ok := last.Risk[contest]
	return last.Ended && ok && r <= a.Config.RiskLimit
}

// StartRound opens the next round with the draws that extend the sample to size (the caller
// draws them from the population with the seed; a consistent sampler makes the sample of a
// larger size extend the smaller one).
func (a *Audit) StartRound(size int64, draws []Draw) error {
	if a.Status != InProgress {
		return ErrAuditEnded
	}
	if n := len(a.Rounds); n > 0 && !a.Rounds[n-1].Ended {
		return ErrRoundOpen
	}
	if int64(len(a.Draws)+len(draws)) != size || size <= a.doneDraws() {
		return fmt.Errorf("audit: round of size %d with %d draws after %d", size, len(draws), len(a.Draws))
	}
	a.Draws = append(a.Draws, draws...)
	a.Rounds = append(a.Rounds, Round{Number: len(a.Rounds) + 1, Size: size})
	return nil
}

// CurrentRound returns the open round, or nil.
func (a *Audit) CurrentRound() *Round {
	if n := len(a.Rounds); n > 0 && !a.Rounds[n-1].Ended {
		return &a.Rounds[n-1]
	}
	return nil
}

// inSample reports whether the card has been drawn.
func (a *Audit) inSample(c Card) bool {
	for i := range a.Draws {
		if a.Draws[i].Card == c {
			return true
		}
	}
	return false
}

// Record enters what an audit board found. A card not drawn is refused; a card recorded
// again with the same reading changes nothing (it reports false), with another reading it is
// refused: a correction is not an overwrite.
func (a *Audit) Record(r Record) (bool, error) {
	if a.Status != InProgress {
		return false, ErrAuditEnded
	}
	if !a.inSample(r.Card) {
		return false, fmt.Errorf("%w: %s", ErrNotInSample, r.Card)
	}
	if prev, ok := a.Records[r.Card]; ok {
		ranked := a.rankedContests()
		if describe(prev, ranked) == describe(&r, ranked) {
			return false, nil
		}
		return false, fmt.Errorf("%w: %s was recorded by %s as %s, now %s", ErrConflict, r.Card, prev.Board, describe(prev, ranked), describe(&r, ranked))
	}
	cp := r
	a.Records[r.Card] = &cp
	return true, nil
}

// rankedContests names the contests whose readings are rankings (audited by assertions).
func (a *Audit) rankedContests() map[string]bool {
	out := map[string]bool{}
	for i := range a.Contests {
		if a.Contests[i].ByAssertions() {
			out[a.Contests[i].Name] = true
		}
	}
	return out
}

// describe writes a record's reading in a fixed order: the choices of a contest sorted, but
// for the ranked contests, whose rankings keep their order (two readings of a ranking agree
// only if they rank the same candidates in the same order).
func describe(r *Record, ranked map[string]bool) string {
	if !r.Found {
		return "not found"
	}
	var parts []string
	for c, v := range r.Votes {
		vs := append([]string(nil), v...)
		if ranked[c] {
			parts = append(parts, c+": "+strings.Join(vs, " > "))
			continue
		}
		sort.Strings(vs)
		parts = append(parts, c+": "+strings.Join(vs, ", "))
	}
	for c, t := range r.Tally {
		var ts []string
		for ch, n := range t {
			ts = append(ts, fmt.Sprintf("%s=%d", ch, n))
		}
		sort.Strings(ts)
		parts = append(parts, c+": "+strings.Join(ts, ", "))
	}
	sort.Strings(parts)
	return "[" + strings.Join(parts, "; ") + "]"
}

// Missing lists the cards of the open round not yet recorded.
func (a *Audit) Missing() []Card {
	var out []Card
	seen := map[Card]bool{}
	for i := int64(0); i < a.doneDraws() && i < int64(len(a.Draws)); i++ {
		c := a.Draws[i].Card
		if a.Records[c] == nil && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// EndRound measures the risk of every contest once every card of the round is recorded. The
// audit is confirmed when every contest's risk is at most the risk limit; otherwise it goes on
// to another round, or, when the next round would be the whole population, to a full hand
// count.
func (a *Audit) EndRound(population int64) (*Round, error) {
	r := a.CurrentRound()
	if r == nil {
		return nil, errors.New("audit: no open round")
	}
	if miss := a.Missing(); len(miss) > 0 {
		return nil, fmt.Errorf("%w: %d cards not recorded (first: %s)", ErrRoundOpen, len(miss), miss[0])
	}
	obs := a.observations(r.Size)
	r.Risk = map[string]float64{}
	all := true
	for i := range a.Contests {
		c := &a.Contests[i]
		p, each, err := a.contestRisk(c, obs)
		if err != nil {
			return nil, fmt.Errorf("contest %q: %w", c.Name, err)
		}
		r.Risk[c.Name] = p
		if each != nil {
			if r.AssertionRisk == nil {
				r.AssertionRisk = map[string]map[string]float64{}
			}
			r.AssertionRisk[c.Name] = each
		}
		all = all && p <= a.Config.RiskLimit
	}
	r.Ended = true
	if all {
		a.Status = Confirmed
		return r, nil
	}
	if !a.Config.WithReplacement && r.Size >= population {
		a.Status = FullHandCount
	}
	return r, nil
}

// Escalate ends the sampling: the contests not confirmed go to a full hand count. An open
// round is abandoned (its draws and records stay on the record, but measure nothing).
func (a *Audit) Escalate() error {
	if a.Status != InProgress {
		return ErrAuditEnded
	}
	if r := a.CurrentRound(); r != nil {
		r.Ended = true
		r.Risk, r.AssertionRisk = nil, nil
	}
	a.Status = FullHandCount
	return nil
}

// EnterHandCount records the outcome of the full hand count, which replaces the reported one.
func (a *Audit) EnterHandCount(result map[string][]Choice) error {
	if a.Status != FullHandCount {
		return fmt.Errorf("audit: a hand count is entered after the audit escalates (status %s)", a.Status)
	}
	a.HandCount = result
	a.Status = HandCounted
	return nil
}

// OneAuditBatchVotes is the reported count of a batch of cards without CVRs.
type OneAuditBatchVotes struct {
	Cards int64
	Votes map[string]map[string]int64 // by contest, then choice
}
