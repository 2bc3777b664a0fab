package faceindex_test

import (
	"slices"
	"testing"

	"github.com/veridoc/veridoc/internal/domain/faceindex"
	"github.com/veridoc/veridoc/internal/platform/database"
)

func TestScreen(t *testing.T) {
	match := func(id, session, verification int64, doc, person string, block bool) faceindex.Match {
		return faceindex.Match{Face: database.Face{ID: id, SessionID: session, VerificationID: verification, DocKey: doc, PersonKey: person, Block: block}, Distance: 0.31}
	}
	self := faceindex.Owner{SessionID: 9, DocKey: "doc-a", PersonKey: "anna"}
	cases := []struct {
		name          string
		found         []faceindex.Match
		owner         faceindex.Owner
		blocked, seen []string
	}{
		{"nothing near", nil, self, nil, nil},
		{"a block, whoever took it", []faceindex.Match{match(1, 3, 0, "doc-a", "anna", true)}, self, []string{"face block 1 (distance 0.31)"}, nil},
		{"another person's session", []faceindex.Match{match(2, 3, 0, "doc-b", "karin", false)}, self, nil, []string{"session 3 (distance 0.31)"}},
		{"another person's verification", []faceindex.Match{match(3, 0, 4, "doc-b", "karin", false)}, self, nil, []string{"verification 4 (distance 0.31)"}},
		{"the same document, another name read", []faceindex.Match{match(4, 3, 0, "doc-a", "karin", false)}, self, nil, nil},
		{"the same person, a renewed document", []faceindex.Match{match(5, 3, 0, "doc-c", "anna", false)}, self, nil, nil},
		{"no papers read on the stored face", []faceindex.Match{match(6, 3, 0, "", "", false)}, self, nil, nil},
		{"no papers read on the new face", []faceindex.Match{match(7, 3, 0, "doc-b", "karin", false)}, faceindex.Owner{SessionID: 9}, nil, nil},
		{"its own session", []faceindex.Match{match(8, 9, 0, "doc-b", "karin", false)}, self, nil, nil},
		{"its own verification", []faceindex.Match{match(9, 0, 4, "doc-b", "karin", false)}, faceindex.Owner{VerificationID: 4, DocKey: "doc-a"}, nil, nil},
	}
	for _, tc := range cases {
		got := faceindex.Screen(tc.found, tc.owner)
		if !slices.Equal(got.Blocked, tc.blocked) || !slices.Equal(got.Seen, tc.seen) {
			t.Errorf("%s: %+v, want blocked %v seen %v", tc.name, got, tc.blocked, tc.seen)
		}
	}
}
