package sampler

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// The values in these tests come from ../shared/docs/AUDIT-REFERENCES.md ("Consistent
// sampler") and from the docstrings of Rivest's consistent_sampler package, where noted.

func TestUniformReference(t *testing.T) {
	// AUDIT-REFERENCES.md and Rivest's sha256_uniform docstring.
	const want = "0.56998071861792858926477341561059638840106636224182943832566300809078486324348"
	if got := Uniform("abc"); got != want {
		t.Errorf("Uniform(abc) = %s, want %s", got, want)
	}
}

func TestFirstTicketRivestDocstring(t *testing.T) {
	// Rivest's first_fraction docstring: first_fraction('AB-130', '01382438112797316654').
	const want = "0.26299714122838008416507544297546663599715395525154425586041245287750224561854"
	d, err := Sample("01382438112797316654", []string{"AB-130"}, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if d[0].Ticket != want {
		t.Errorf("first ticket of AB-130 = %s, want %s", d[0].Ticket, want)
	}
	// Its next_ticket docstring: generation 2 of that ticket.
	const want2 = "0.8232357229934205790595761924514048157652891124687533667363938813600770093316"
	if got := nextTicket(want); got != want2 {
		t.Errorf("next ticket = %s, want %s", got, want2)
	}
}

func TestNextTicket(t *testing.T) {
	cases := []struct{ in, want string }{
		// Rivest's next_fraction docstring.
		{"0.25471", "0.642853261655004694691182528114375607701032283189922170593838029306715548381901"},
		// Rivest's draw_with_replacement docstring: Ticket('0.234', 'x', 2) is replaced by
		// generation 3 with this number.
		{"0.234", "0.547830802749402616364646686795722512609112766306951592422621788875312684400211"},
		// Leading 9s are kept as a prefix. Computed with a transcription of Rivest's
		// next_fraction in Python 3 (x0 = x+'0'; y = x0[:p] + sha256_uniform(x+':'+str(i))[2:]
		// until y > x0). Without the prefix the results would be 0.9484802…, 0.9958698… and
		// 0.99924312….
		{"0.9", "0.982504175839941612752878173286503506883483274904936709560585122569932854092712"},
		{"0.99", "0.9996970129395810631565877487865968044832854197803476160715749756007814212467606"},
		{"0.999123", "0.99922899384389068521733233862943989480400113677296483564569473441547101294909879"},
	}
	for _, c := range cases {
		if got := nextTicket(c.in); got != c.want {
			t.Errorf("nextTicket(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestTrimTicket(t *testing.T) {
	cases := []struct {
		in     string
		digits int
		want   string
	}{
		{"0.9991234567890", 4, "0.9991234"}, // Rivest's trim docstring
		{"0.31768581747785156587", 9, "0.317685817"},
		{"0.90980392695231990029", 9, "0.9098039269"},
		{"0.999", 4, "0.999"},
		{"0.12", 9, "0.12"},
		{"0.123", 0, "0."},
		{"0.99123", -1, "0.99"},
		{"0", 3, "0"},
	}
	for _, c := range cases {
		if got := TrimTicket(c.in, c.digits); got != c.want {
			t.Errorf("TrimTicket(%q, %d) = %q, want %q", c.in, c.digits, got, c.want)
		}
	}
}

func ids(draws []Draw) []string {
	out := make([]string, len(draws))
	for i, d := range draws {
		out[i] = d.ID
	}
	return out
}

func TestSampleReference(t *testing.T) {
	check := func(name string, got []Draw, want ...string) {
		t.Helper()
		if g := strings.Join(ids(got), ","); g != strings.Join(want, ",") {
			t.Errorf("%s: got %s, want %s", name, g, strings.Join(want, ","))
		}
	}
	d, err := Sample("314159", []string{"A#2", "B#7", "C#1", "D#4"}, 8, true)
	if err != nil {
		t.Fatal(err)
	}
	check("with replacement", d, "D#4", "C#1", "C#1", "B#7", "A#2", "C#1", "D#4", "B#7")
	wantTimes := []int{1, 1, 2, 1, 1, 3, 2, 2}
	for i, dr := range d {
		if dr.Times != wantTimes[i] {
			t.Errorf("draw %d (%s): Times %d, want %d", i+1, dr.ID, dr.Times, wantTimes[i])
		}
	}

	d, err = Sample("314159", []string{"ab-1", "ab-2", "cd-1", "ef-3"}, 4, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ ticket, id string }{
		{"0.317685817", "cd-1"}, {"0.832984519", "ef-3"}, {"0.9098039269", "ab-1"}, {"0.9231549043", "ab-2"},
	}
	for i, w := range want {
		if got := TrimTicket(d[i].Ticket, 9); got != w.ticket || d[i].ID != w.id {
			t.Errorf("draw %d = (%s, %s), want (%s, %s)", i+1, got, d[i].ID, w.ticket, w.id)
		}
	}
	if d[0].Index != 2 || d[3].Index != 1 {
		t.Errorf("indexes %d, %d, want 2, 1", d[0].Index, d[3].Index)
	}

	abcd := []string{"a", "b", "c", "d"}
	d, _ = Sample("31", abcd, 4, false)
	check("seed 31", d, "b", "a", "d", "c")
	d, _ = Sample("77", abcd, 4, false)
	check("seed 77", d, "b", "d", "c", "a")

	hundred := make([]string, 100)
	for i := range hundred {
		hundred[i] = strconv.Itoa(i)
	}
	d, _ = Sample("41", hundred, 10, false)
	check("0..99 seed 41", d, "73", "51", "17", "58", "38", "42", "39", "20", "11", "67")
}

func TestSampleErrors(t *testing.T) {
	if _, err := Sample("1", []string{"a", "b", "a"}, 1, false); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("duplicate ids: err = %v", err)
	}
	for _, c := range []struct {
		n    int
		ids  []string
		repl bool
	}{{3, []string{"a", "b"}, false}, {-1, []string{"a"}, true}, {1, nil, true}} {
		if _, err := Sample("1", c.ids, c.n, c.repl); !errors.Is(err, ErrSampleSize) {
			t.Errorf("Sample(n=%d, %d ids, %v): err = %v, want ErrSampleSize", c.n, len(c.ids), c.repl, err)
		}
	}
	d, err := Sample("1", nil, 0, false)
	if err != nil || len(d) != 0 {
		t.Errorf("empty sample: %v, %v", d, err)
	}
}

// population writes ids "ballot-i" for the property tests; it is large enough that
// SampleFunc splits it across goroutines.
func population(dst []byte, i int) []byte {
	return strconv.AppendInt(append(dst, "ballot-"...), int64(i), 10)
}

func TestSampleProperties(t *testing.T) {
	const count = 3 * parallelMin
	const seed = "12345678901234567890"
	for _, repl := range []bool{false, true} {
		big, err := SampleFunc(seed, count, population, 60, repl)
		if err != nil {
			t.Fatal(err)
		}
		if len(big) != 60 {
			t.Fatalf("got %d draws", len(big))
		}
		seen := map[string]int{}
		for i, d := range big {
			if i > 0 && big[i-1].Ticket >= d.Ticket {
				t.Errorf("repl=%v: tickets out of order at %d", repl, i)
			}
			if d.ID != string(population(nil, d.Index)) {
				t.Errorf("repl=%v: draw %d has id %s and index %d", repl, i, d.ID, d.Index)
			}
			seen[d.ID]++
			if d.Times != seen[d.ID] {
				t.Errorf("repl=%v: draw %d Times %d, want %d", repl, i, d.Times, seen[d.ID])
			}
			if d.Times == 1 && d.Ticket != Uniform(hexSeed(seed)+d.ID) {
				t.Errorf("repl=%v: draw %d ticket is not sha256_uniform(seed_hash + id)", repl, i)
			}
		}
		if !repl && len(seen) != 60 {
			t.Errorf("without replacement: %d distinct ids of 60", len(seen))
		}
		// Prefix property: each smaller sample is a prefix of the larger one.
		for _, n := range []int{1, 7, 59} {
			small, err := SampleFunc(seed, count, population, n, repl)
			if err != nil {
				t.Fatal(err)
			}
			for i := range small {
				if small[i] != big[i] {
					t.Errorf("repl=%v: sample of %d differs from sample of 60 at %d", repl, n, i)
					break
				}
			}
		}
		// Consistency: the one-goroutine path over a string slice agrees.
		all := make([]string, count)
		for i := range all {
			all[i] = string(population(nil, i))
		}
		same, err := Sample(seed, all, 60, repl)
		if err != nil {
			t.Fatal(err)
		}
		for i := range same {
			if same[i] != big[i] {
				t.Errorf("repl=%v: Sample and SampleFunc differ at %d", repl, i)
				break
			}
		}
	}
}

// TestSampleSmallest checks the heap against a direct computation: the sample without
// replacement is the ids with the smallest full tickets, in order.
func TestSampleSmallest(t *testing.T) {
	const seed = "99"
	all := make([]string, 500)
	for i := range all {
		all[i] = fmt.Sprintf("id %d", i)
	}
	d, err := Sample(seed, all, 500, false)
	if err != nil {
		t.Fatal(err)
	}
	hs := hexSeed(seed)
	for i := 1; i < len(d); i++ {
		a, b := Uniform(hs+d[i-1].ID), Uniform(hs+d[i].ID)
		if a >= b {
			t.Fatalf("draws %d and %d out of order", i, i+1)
		}
	}
}

// TestTicketKey checks the 19-digit key against the ticket string it stands for.
func TestTicketKey(t *testing.T) {
	for i := range 1000 {
		s := "key test " + strconv.Itoa(i)
		sum := sha256Sum(s)
		want, err := strconv.ParseUint(Uniform(s)[2:21], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := ticketKey(sum[:]); got != want {
			t.Fatalf("ticketKey(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestKeyTies exercises the full-ticket comparison that breaks ties between equal keys, by
// giving every candidate the same key.
func TestKeyTies(t *testing.T) {
	all := []string{"p", "q", "r", "s", "t", "u"}
	s := newScanner([]byte(hexSeed("7")), func(dst []byte, i int) []byte { return append(dst, all[i]...) })
	cs := make([]candidate, len(all))
	for i := range cs {
		cs[i] = candidate{key: 42, index: i}
	}
	d, _ := Sample("7", all, len(all), false)
	for i := range d {
		for j := range d {
			if got := s.less(cs[d[i].Index], cs[d[j].Index]); got != (i < j) {
				t.Errorf("less(%s, %s) = %v with equal keys", d[i].ID, d[j].ID, got)
			}
		}
	}
}

func sha256Sum(s string) [32]byte { return sha256.Sum256([]byte(s)) }

func hexSeed(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])
}
