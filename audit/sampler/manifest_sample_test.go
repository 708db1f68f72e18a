package sampler

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
)

// arloSeed is the seed of Arlo's sampler tests (votingworks/arlo, server/tests/test_sampler.py).
const arloSeed = "12345678901234567890abcdefghijklmnopqrstuvwxyz😊"

func pct4x25() *Manifest {
	m, _ := ManifestFromCounts([]Batch{{Name: "pct 1", Ballots: 25}, {Name: "pct 2", Ballots: 25}, {Name: "pct 3", Ballots: 25}, {Name: "pct 4", Ballots: 25}})
	return m
}

// TestArloPublishedSample reproduces expected_sample of Arlo's test_sampler.py: manifest
// pct 1–4 with 25 ballots each, 20 draws with replacement, tickets trimmed to 9 digits. That
// version of Arlo numbered ballots from 0 (range(num_ballots)), so the ids here are
// ('pct b', 0) … ('pct b', 24).
func TestArloPublishedSample(t *testing.T) {
	want := []struct {
		ticket, batch string
		pos, times    int
	}{
		{"0.000617786", "pct 2", 3, 1}, {"0.002991631", "pct 3", 24, 1}, {"0.017930028", "pct 4", 19, 1},
		{"0.025599454", "pct 3", 15, 1}, {"0.045351055", "pct 1", 7, 1}, {"0.063913979", "pct 1", 8, 1},
		{"0.064553852", "pct 1", 22, 1}, {"0.078998835", "pct 1", 20, 1}, {"0.090240829", "pct 3", 12, 1},
		{"0.096136506", "pct 1", 20, 2}, {"0.104280162", "pct 4", 17, 1}, {"0.111195681", "pct 1", 4, 1},
		{"0.114438612", "pct 4", 3, 1}, {"0.130457464", "pct 2", 1, 1}, {"0.133484785", "pct 1", 12, 1},
		{"0.134519219", "pct 3", 20, 1}, {"0.135840440", "pct 3", 10, 1}, {"0.138772253", "pct 4", 20, 1},
		{"0.145377629", "pct 2", 9, 1}, {"0.146681466", "pct 1", 20, 3},
	}
	id := func(dst []byte, i int) []byte {
		return append(dst, ArloBallotID([]string{"pct " + strconv.Itoa(i/25+1)}, i%25)...)
	}
	d, err := SampleFunc(arloSeed, 100, id, 20, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		wid := ArloBallotID([]string{w.batch}, w.pos)
		if got := TrimTicket(d[i].Ticket, 9); got != w.ticket || d[i].ID != wid || d[i].Times != w.times {
			t.Errorf("draw %d = (%s, %s, %d), want (%s, %s, %d)", i+1, got, d[i].ID, d[i].Times, w.ticket, wid, w.times)
		}
	}
}

// TestSampleManifestArlo checks SampleManifest's ids and 18-digit tickets (current Arlo:
// positions from 1, digits=18). The values were computed with a Python 3 transcription of
// Rivest's sampler over str((batch_key, position)) ids; the draws shared with the published
// sample above agree with it.
func TestSampleManifestArlo(t *testing.T) {
	want := []struct {
		ticket, id string
		times      int
	}{
		{"0.000617786129909912", `('pct 2', 3)`, 1},
		{"0.002991631653037245", `('pct 3', 24)`, 1},
		{"0.012057030610635061", `('pct 1', 25)`, 1},
		{"0.017930028930651931", `('pct 4', 19)`, 1},
		{"0.025599454926985137", `('pct 3', 15)`, 1},
		{"0.045351055354441163", `('pct 1', 7)`, 1},
		{"0.063913979803461405", `('pct 1', 8)`, 1},
		{"0.064553852798863609", `('pct 1', 22)`, 1},
		{"0.078998835671540970", `('pct 1', 20)`, 1},
		{"0.090240829778172783", `('pct 3', 12)`, 1},
		{"0.096136506157297637", `('pct 1', 20)`, 2},
		{"0.104280162683637014", `('pct 4', 17)`, 1},
		{"0.108948480696023984", `('pct 1', 25)`, 2},
		{"0.111195681310332785", `('pct 1', 4)`, 1},
		{"0.114438612046531251", `('pct 4', 3)`, 1},
		{"0.130457464320709301", `('pct 2', 1)`, 1},
		{"0.133484785501449819", `('pct 1', 12)`, 1},
		{"0.134519219670087860", `('pct 3', 20)`, 1},
		{"0.135840440920085144", `('pct 3', 10)`, 1},
		{"0.138772253094235762", `('pct 4', 20)`, 1},
	}
	m := pct4x25()
	d, err := SampleManifest(arloSeed, m, 20, true, BatchName)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		got := d[i]
		if TrimTicket(got.Ticket, 18) != w.ticket || got.ID != w.id || got.Times != w.times ||
			ArloBallotID([]string{m.Batches[got.Batch].Name}, int(got.Position)) != w.id {
			t.Errorf("draw %d = %+v, want %+v", i+1, got, w)
		}
	}

	// Three-part keys with None for a missing tabulator; without replacement.
	m3, err := ManifestFromCounts([]Batch{
		{Jurisdiction: "J1", Name: "B1", Ballots: 3},
		{Jurisdiction: "J1", Name: "B2", Ballots: 4},
		{Jurisdiction: "J2", Tabulator: "T1", Name: "B1", Ballots: 5},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err = SampleManifest("24681357902468135790", m3, 5, false, JurisdictionTabulatorBatch)
	if err != nil {
		t.Fatal(err)
	}
	want3 := []struct {
		ticket, id string
		batch      int
		pos        int64
	}{
		{"0.009517189257699972", `(('J1', None, 'B1'), 2)`, 0, 2},
		{"0.056847454557523215", `(('J1', None, 'B2'), 2)`, 1, 2},
		{"0.163032809809486227", `(('J2', 'T1', 'B1'), 5)`, 2, 5},
		{"0.199545061505528475", `(('J1', None, 'B2'), 3)`, 1, 3},
		{"0.660544232802605628", `(('J2', 'T1', 'B1'), 2)`, 2, 2},
	}
	for i, w := range want3 {
		got := d[i]
		if TrimTicket(got.Ticket, 18) != w.ticket || got.ID != w.id || got.Batch != w.batch || got.Position != w.pos {
			t.Errorf("draw %d = %+v, want %+v", i+1, got, w)
		}
	}
	// B1 is in two jurisdictions: by name alone its ballots cannot be told apart.
	if _, err := SampleManifest("1", m3, 1, false, BatchName); err == nil || !strings.Contains(err.Error(), "batches 1 and 3") {
		t.Errorf("ambiguous batch names: err = %v", err)
	}
}

// TestSampleManifestLarge checks the cursor over many batches (split across goroutines)
// against ids written by ArloBallotID.
func TestSampleManifestLarge(t *testing.T) {
	var bs []Batch
	for k := range 400 {
		bs = append(bs, Batch{Name: "batch " + strconv.Itoa(k), Ballots: int64(k % 700)})
	}
	m, err := ManifestFromCounts(bs)
	if err != nil {
		t.Fatal(err)
	}
	d, err := SampleManifest("55555555555555555555", m, 300, false, BatchName)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]string, 0, m.Total)
	for _, b := range m.Batches {
		for p := int64(1); p <= b.Ballots; p++ {
			all = append(all, ArloBallotID([]string{b.Name}, int(p)))
		}
	}
	ref, err := Sample("55555555555555555555", all, 300, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range d {
		if d[i].ID != ref[i].ID || d[i].Ticket != ref[i].Ticket ||
			ArloBallotID([]string{m.Batches[d[i].Batch].Name}, int(d[i].Position)) != d[i].ID {
			t.Fatalf("draw %d: %+v, want id %s", i, d[i], ref[i].ID)
		}
	}
}

func TestRetrievalList(t *testing.T) {
	m, err := ManifestFromCounts([]Batch{
		{Jurisdiction: "Ada", Container: "Box 2", Tabulator: "T1", Name: "B1", Ballots: 10},
		{Jurisdiction: "Ada", Container: "Box 1", Tabulator: "T1", Name: "B2", Ballots: 10},
		{Jurisdiction: "Ada", Container: "Box 1", Tabulator: "T1", Name: "B3", Ballots: 10},
		{Jurisdiction: "Bell", Container: "Box 1", Tabulator: "T9", Name: "B1", Ballots: 10},
	})
	if err != nil {
		t.Fatal(err)
	}
	draws := []BallotDraw{
		{Batch: 0, Position: 7, Ticket: "0.1111111111111", Times: 1},
		{Batch: 1, Position: 3, Ticket: "0.2222222222222", Times: 1},
		{Batch: 0, Position: 2, Ticket: "0.3333333333333", Times: 1},
		{Batch: 1, Position: 3, Ticket: "0.9994444444444", Times: 2},
		{Batch: 3, Position: 5, Ticket: "0.5555555555555", Times: 1},
		{Batch: 2, Position: 1, Ticket: "0.6666666666666", Times: 1},
		{Batch: 0, Position: 9, Ticket: "0.7777777777777", Times: 1},
	}
	rows := RetrievalList(draws, m, 4, 2)
	FillImprintedIDs(rows, func(b int, p int64) string { return "IMP-" + strconv.Itoa(b) + "-" + strconv.FormatInt(p, 10) })
	var buf bytes.Buffer
	if err := WriteRetrievalCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	// Sorted by jurisdiction, container, tabulator, batch, position. In Ada, B1 has three
	// ballots to pull and goes to board 1; B2 and B3 (one each) go to board 2, the lighter
	// one. Bell has its own boards.
	const want = `Jurisdiction,Container,Tabulator,Batch Name,Ballot Position,Imprinted ID,Ticket Numbers,Times Sampled,Audit Board
Ada,Box 1,T1,B2,3,IMP-1-3,0.2222; 0.9994444,2,Audit Board 2
Ada,Box 1,T1,B3,1,IMP-2-1,0.6666,1,Audit Board 2
Ada,Box 2,T1,B1,2,IMP-0-2,0.3333,1,Audit Board 1
Ada,Box 2,T1,B1,7,IMP-0-7,0.1111,1,Audit Board 1
Ada,Box 2,T1,B1,9,IMP-0-9,0.7777,1,Audit Board 1
Bell,Box 1,T9,B1,5,IMP-3-5,0.5555,1,Audit Board 1
`
	if buf.String() != want {
		t.Errorf("retrieval list:\n%s\nwant:\n%s", buf.String(), want)
	}

	// Empty optional columns are left out.
	m2 := pct4x25()
	d, err := SampleManifest(arloSeed, m2, 20, true, BatchName)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := WriteRetrievalCSV(&buf, RetrievalList(d, m2, 9, 1)); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "Batch Name,Ballot Position,Ticket Numbers,Times Sampled,Audit Board" {
		t.Errorf("header %q", recs[0])
	}
	// 20 draws of 18 distinct ballots (pct 1 #20 and #25 drawn twice); pct 1 #20's row.
	if len(recs) != 1+18 {
		t.Errorf("%d rows, want 18", len(recs)-1)
	}
	for _, r := range recs[1:] {
		if r[0] == "pct 1" && r[1] == "20" && (r[2] != "0.078998835; 0.096136506" || r[3] != "2") {
			t.Errorf("pct 1 ballot 20: %q", r)
		}
	}
}
