// Package sampler draws the random samples of a risk-limiting audit in a way anyone can
// check: from a public seed (digits of dice rolled in public), a ballot manifest and a sample
// size, every step is a published hash computation that other tools reproduce digit for digit.
//
// It provides:
//
//   - Rivest's consistent sampler (R. L. Rivest, "Consistent Sampling with Replacement",
//     arXiv 1808.10016, and his reference package consistent_sampler), the sampler of
//     VotingWorks' Arlo: [Uniform], [TrimTicket], [Sample], [SampleFunc];
//   - Arlo's ballot ids, Python's str() of a tuple (batch key, position): [PythonRepr],
//     [ArloBallotID], and [SampleManifest] that samples a whole manifest with them;
//   - the 2011 SHA-256 sampler of Colorado's audit tool: [Colorado2011];
//   - seed checks ([CheckSeed], [NormalizeSeed]);
//   - ballot manifests ([ReadManifest], [ManifestFromCounts], [Manifest.Locate]);
//   - retrieval lists for the people who pull the ballots ([RetrievalList],
//     [WriteRetrievalCSV]).
//
// The package has no global state and uses only the standard library (and the module's
// root package for its ParseError). docs/audits/sampling.md describes the procedure for
// election officials and observers.
package sampler
