// Package us2020 embeds the certified results of the 2020 presidential election that
// "canvass electoral" uses when it is given no files: the apportionment of the 538 electors,
// the statewide popular vote (FEC, "Federal Elections 2020", table 2), the Maine and Nebraska
// district results and the county results. README.md beside this file says where each comes
// from; the files are byte-for-byte the copies in testdata/us2020/national.
package us2020

import (
	"bytes"
	"embed"

	"github.com/canvass-vote/canvass/electoral"
)

//go:embed *.csv
var files embed.FS

// The embedded files.
const (
	Apportionment = "electoral_votes_2020_apportionment.csv"
	States        = "state_president_2020_fec_table2.csv"
	Districts     = "me_ne_districts_2020.csv"
	Counties      = "county_presidential_results_2020.csv"
)

// Open returns the embedded file called name as a Source.
func Open(name string) (electoral.Source, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return electoral.Source{}, err
	}
	return electoral.Source{Name: name, R: bytes.NewReader(b)}, nil
}

// Names maps the labels of the 2020 files to the candidates' names: the FEC table heads its
// columns "biden" and "trump", the county file "votes_dem" and "votes_gop"; the district file
// writes the names.
func Names() electoral.Names {
	return electoral.Names{
		"biden": "Joe Biden", "dem": "Joe Biden",
		"trump": "Donald Trump", "gop": "Donald Trump",
	}
}

// Files returns the embedded inputs: the apportionment, the districts, and the statewide
// results (counties false) or the county results (counties true).
func Files(counties bool) (electoral.Files, error) {
	var f electoral.Files
	var err error
	if f.Apportionment, err = Open(Apportionment); err != nil {
		return f, err
	}
	if f.Districts, err = Open(Districts); err != nil {
		return f, err
	}
	if counties {
		f.Counties, err = Open(Counties)
	} else {
		f.States, err = Open(States)
	}
	return f, err
}

// Election returns the certified 2020 election from the embedded statewide results.
func Election() (*electoral.Election, error) {
	f, err := Files(false)
	if err != nil {
		return nil, err
	}
	return electoral.Load(f, Names())
}
