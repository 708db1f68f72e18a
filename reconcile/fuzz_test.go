package reconcile

import (
	"bytes"
	"errors"
	"testing"
	"time"

	canvass "github.com/canvass-vote/canvass"
)

// checkErr fails unless err is nil or a *canvass.ParseError naming the file.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var pe *canvass.ParseError
	if !errors.As(err, &pe) || pe.File != "fuzz.csv" || pe.Err == nil {
		t.Fatalf("not a ParseError naming the file: %v", err)
	}
}

func FuzzReadMapping(f *testing.F) {
	f.Add([]byte("E-Day Precinct,ACVB Precinct,SD\r\n1,72\r\n2,72\r\n4,110\r\n"))
	f.Add([]byte("member,group\nPrecinct 1,AVCB 1\nCity / Precinct 2,AVCB 1\n"))
	f.Add([]byte("member,group\nA,B\nA,C\n"))
	f.Add([]byte("member,group\nA,\n"))
	f.Add([]byte("E-Day Precinct,ACVB Precinct\n-1,x\n"))
	f.Add([]byte("\"unterminated\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadMapping(bytes.NewReader(data), "fuzz.csv", Unit{Municipality: "City"})
		checkErr(t, err)
		if err == nil {
			// No member is also a group, and every member has exactly one group.
			for _, g := range m.Groups() {
				if _, ok := m.Group(g); ok {
					t.Fatalf("%s is a group and a member", g)
				}
			}
		}
	})
}

func FuzzReadRegistration(f *testing.F) {
	f.Add([]byte("unit,registered,date\nTown / 1,100,2020-10-01\nTown / 2,50,\n"))
	f.Add([]byte("unit,registered\nA,x\n"))
	f.Add([]byte("unit,registered\nA,1\na,2\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		regs, err := ReadRegistration(bytes.NewReader(data), "fuzz.csv", time.Time{}, Unit{})
		checkErr(t, err)
		for _, r := range regs {
			if r.Registered < 0 {
				t.Fatalf("negative registration %+v", r)
			}
		}
	})
}

func FuzzReadWayne(f *testing.F) {
	hdr := "municipality,precinct,registered_voters,ballots_cast_election_day,ballots_cast_av_counting_board,ballots_cast_total,biden_dem,trump_rep,total_votes_president\n"
	f.Add([]byte(hdr + "City of Detroit,Precinct 1,752,114,0,114,106,5,114\nCity of Detroit,AVCB 1,0,0,1506,1506,1463,32,1500\n"))
	f.Add([]byte(hdr + "\"Village of Grosse Pointe Shores, A Michigan City\",Precinct 1,1543,397,856,1253,387,853,1250\n"))
	f.Add([]byte(hdr + "A,1,x,1,1,2,1,1,2\n"))
	f.Add([]byte(hdr + "A,1,1,1,1,2,1,1,2\nA,1,1,1,1,2,1,1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		figs, err := ReadWayne(bytes.NewReader(data), "fuzz.csv")
		checkErr(t, err)
		_ = Check(figs, nil, Options{Undervotes: true})
	})
}

func FuzzReadMilwaukeeWards(f *testing.F) {
	hdr := "name,muni,ward_id,normalized_name,warning,election_day_registered,ballots_cast,nov_1_registered\n"
	f.Add([]byte(hdr + "Village of Bayside - Ward 1,05450,1,village of bayside ward 1,\"WARNING: Combined in results: Village of Bayside Wards 1,3, combined results: 1057\",711,629,721\n" +
		"Village of Bayside - Ward 3,05450,3,village of bayside ward 3,\"WARNING: Combined in results: Village of Bayside Wards 1,3, combined results: 1057\",483,428,490\n" +
		"Village of Bayside - Ward 6,,,village of bayside ward 6,Not reported in results,,,94\n"))
	f.Add([]byte(hdr + "City of Milwaukee - Ward 326,53000,326,city of milwaukee ward 326,,4,5,4\n"))
	f.Add([]byte(hdr + "A - Ward 1,,,,\"WARNING: Combined in results: A Wards 1,2, combined results: 5\",1,1,1\nA - Ward 2,,,,\"WARNING: Combined in results: A Wards 1,2, combined results: 6\",1,1,1\n"))
	f.Add([]byte(hdr + "No ward,,,,,1,1,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := ReadMilwaukeeWards(bytes.NewReader(data), "fuzz.csv")
		checkErr(t, err)
		if err == nil {
			_ = Check(w.Figures, w.Mapping, Options{CombinedBallots: w.Combined})
		}
	})
}

func FuzzReadCountyEstimates(f *testing.F) {
	hdr := "county,reg_voter_2020_10_01,total_pop_est_acs2014_2018,vap_est_acs2014_2018,cvap_est_acs2014_2018\n"
	f.Add([]byte(hdr + "ADAMS COUNTY,12451,20075,17110,16875\nMENOMINEE COUNTY,1726,4580,3080,3075\n"))
	f.Add([]byte(hdr + "ADAMS COUNTY,12451,20075,17110,16875\nAdams,1,1,1,1\n"))
	f.Add([]byte("county,reg_voter_2020_13_01,vap_est,cvap_est\nA,1,1,1\n"))
	f.Add([]byte("county,registered\nA,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		figs, err := ReadCountyEstimates(bytes.NewReader(data), "fuzz.csv")
		checkErr(t, err)
		for i := range figs {
			figs[i].Ballots = 1
		}
		_ = Check(figs, nil, Options{})
	})
}
