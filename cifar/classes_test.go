package cifar

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestClassNames(t *testing.T) {
	documented := []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}
	tests := []struct {
		name string
		dir  string
		want []string
	}{
		{"LF", "tiny", []string{"plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}},
		{"CRLF and trailing blank lines", "meta-crlf", documented},
		{"three names: fallback", "meta-short", documented},
		{"no file: fallback", "malformed", documented},
		{"no directory: fallback", "nothere", documented},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClassNames(filepath.Join("testdata", tc.dir)); !slices.Equal(got, tc.want) {
				t.Errorf("ClassNames(%s) = %q, want %q", tc.dir, got, tc.want)
			}
		})
	}
	// the fallback is a copy: changing it does not change the next one
	names := ClassNames("nothere")
	names[0] = "changed"
	if DefaultClassNames()[0] != "airplane" {
		t.Error("DefaultClassNames shares memory with an earlier result")
	}
}

func TestParseClassNames(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"", nil},
		{"\n\r\n  \n", nil},
		{"cat", []string{"cat"}},
		{"cat\r\ndog\r\n", []string{"cat", "dog"}},
		{"  cat \n\ndog\n\n\n", []string{"cat", "dog"}},
	}
	for _, tc := range tests {
		if got := parseClassNames(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("parseClassNames(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
