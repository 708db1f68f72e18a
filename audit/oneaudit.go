package audit

import "fmt"

// OneAuditBatch is a group of cards without cast vote records (for instance the vote-by-mail
// cards of one precinct tabulated together) with its reported votes, for ONEAudit (Stark 2023,
// "Overstatement-Net-Equivalent Risk-Limiting Audit: ONEAudit").
type OneAuditBatch struct {
	Cards int64
	Votes map[string]int64
}

// BatchMean is the assorter's mean over a batch's cards computed from its reported votes,
// assuming one single-mark vote per card (ONEAudit sec. 3: each card of the batch is given
// this value as its "CVR"). Plurality: 1/2 + (V_w − V_ℓ)/(2·cards); supermajority:
// (V_w·u + (cards − valid)/2)/cards.
func (a Assorter) BatchMean(b OneAuditBatch) (float64, error) {
	var valid int64
	for name, v := range b.Votes {
		if v < 0 {
			return 0, fmt.Errorf("%w: batch with %d votes for %s", ErrAlphaInput, v, name)
		}
		valid += v
	}
	if b.Cards <= 0 || (a.Share > 0 && valid > b.Cards) {
		return 0, fmt.Errorf("%w: batch of %d cards with %d votes", ErrAlphaInput, b.Cards, valid)
	}
	n := float64(b.Cards)
	if a.Share > 0 {
		return (float64(b.Votes[a.Winner])*a.Upper + float64(b.Cards-valid)/2) / n, nil
	}
	return 0.5 + float64(b.Votes[a.Winner]-b.Votes[a.Loser])/(2*n), nil
}

// OneAuditValue is the ONEAudit overstatement assorter of one card (ONEAudit sec. 3, the
// comparison assorter of SHANGRLA sec. 3.2 with the CVR's assorter value replaced):
//
//	B(b) = (u − (cvrValue − A(mvr))) / (2u − v),   v = 2Ā − 1,
//
// where cvrValue is A(CVR) for a card with a CVR and the batch's BatchMean for a card without,
// and a.Mean = Ā is the mean of cvrValue over all cards (so v is the reported margin counting
// each batch at its reported mean). B is in [0, 2u/(2u − v)] (ComparisonUpper), and its
// population mean exceeds 1/2 if and only if the assorter's true mean does: with no CVRs at
// all B is an increasing affine function of A, and ONEAudit is ballot polling in disguise.
func (a Assorter) OneAuditValue(cvrValue float64, mvr []string) float64 {
	return a.comparisonFromOverstatement(cvrValue - a.Assort(mvr))
}

// OneAuditAlpha returns the ALPHA test of a ONEAudit (or card-level comparison) assorter for a
// population of N cards: null mean 1/2, upper bound 2u/(2u − v), shrink-truncate started at
// eta0 (for an audit expecting no errors, the no-error value 1/(2 − v/u) or a little less).
func (a Assorter) OneAuditAlpha(N int64, eta0 float64) Alpha {
	u := a.ComparisonUpper()
	return Alpha{N: N, T: 0.5, U: u, Estimator: DefaultShrinkTrunc(0.5, u, eta0)}
}
